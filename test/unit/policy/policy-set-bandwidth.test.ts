// Bandwidth policies and plan limits in the PolicySet: sorted by id, left out when there are none,
// so bundles without them keep their bytes and content hash.
import { describe, expect, it } from 'vitest';
import { contentHashOf } from '../../../policy/bundle/sign.ts';
import { bundleLimitsOf } from '../../../policy/plan/bundle-limits.ts';
import { PLANS } from '../../../policy/plan/limits.ts';
import { policySetFromObjects } from '../../../policy/policy-set-from-objects.ts';
import { networkPolicy } from './factories.ts';

const bandwidthPolicy = (name: string) => ({
  apiVersion: 'policy.palisade.dev/v1alpha1',
  kind: 'BandwidthPolicy',
  metadata: { name, namespace: 'shop' },
  spec: { podSelector: {}, egress: { rate: '10M' } },
});

describe('policySetFromObjects with bandwidth', () => {
  it('carries bandwidth policies sorted by id', () => {
    const set = policySetFromObjects([bandwidthPolicy('b'), networkPolicy(), bandwidthPolicy('a')]);
    expect(set.bandwidthPolicies?.map((p) => p.id)).toEqual(['BandwidthPolicy/shop/a', 'BandwidthPolicy/shop/b']);
    expect(set.tiers).toHaveLength(1);
  });

  it('leaves the keys out when there are no bandwidth policies and no limits', () => {
    const objects = [networkPolicy({}, { name: 'same' })];
    const set = policySetFromObjects(objects);
    expect(Object.keys(set)).toEqual(['tiers']);
    expect(contentHashOf(policySetFromObjects(objects, {}))).toBe(contentHashOf(set));
  });

  it('embeds the given limits, which change the content hash', () => {
    const objects = [networkPolicy({}, { name: 'same' })];
    const limits = bundleLimitsOf(PLANS.free);
    const set = policySetFromObjects(objects, { limits });
    expect(set.limits).toEqual(limits);
    expect(contentHashOf(set)).not.toBe(contentHashOf(policySetFromObjects(objects)));
  });
});
