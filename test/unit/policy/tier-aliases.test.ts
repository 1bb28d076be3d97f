// kube-admin and kube-baseline, the names newer Calico releases give the admin and baseline tiers, are
// the same tiers as adminnetworkpolicy and baselineadminnetworkpolicy: a Tier object of either name
// configures them under the same rules, and Calico policies stay out of them under either name.
import { describe, expect, it } from 'vitest';
import { buildPolicySet } from '../../../policy/policy-set.ts';
import { adminPolicy } from './factories-admin.ts';
import { calicoPolicy, tier } from './factories-calico.ts';
import { expectIssue, policyOf, storedOf, tierOf } from './parse-helpers.ts';

describe('tier names kube-admin and kube-baseline', () => {
  it('are the admin and baseline tiers, with their fixed orders and Pass default', () => {
    expect(tierOf(tier('kube-admin', { order: 1000 }))).toEqual({ name: 'adminnetworkpolicy', order: 1000, defaultAction: 'Pass' });
    expect(tierOf(tier('kube-baseline', { order: 10_000_000 }))).toEqual({ name: 'baselineadminnetworkpolicy', order: 10_000_000, defaultAction: 'Pass' });
    expect(storedOf(tier('kube-admin', { order: 1000 }))).toMatchObject({ metadata: { name: 'kube-admin' }, spec: { defaultAction: 'Pass' } });
    expectIssue(tier('kube-admin'), ['spec', 'order'], "Required value: the kube-admin tier's order is 1000");
    expectIssue(tier('kube-baseline', { order: 5 }), ['spec', 'order'], /the kube-baseline tier's order must be 10000000/);
    expectIssue(tier('kube-admin', { order: 1000, defaultAction: 'Deny' }), ['spec', 'defaultAction'], /passes traffic its policies do not decide/);
  });

  it('hold no Calico policy, under either name', () => {
    expectIssue(calicoPolicy({ tier: 'kube-admin' }, { name: 'kube-admin.p' }), ['spec', 'tier'], /holds the Kubernetes admin network policy kinds only/);
    expectIssue(calicoPolicy({ tier: 'kube-baseline' }, { name: 'kube-baseline.p' }), ['spec', 'tier'], /holds the Kubernetes admin network policy kinds only/);
  });

  it('a Tier object under each name of one tier builds one tier', () => {
    const anp = policyOf(adminPolicy());
    const set = buildPolicySet([anp], { tiers: [tierOf(tier('kube-admin', { order: 1000 })), tierOf(tier('adminnetworkpolicy', { order: 1000 }))] });
    expect(set.tiers.map((t) => [t.name, t.order, t.policies.map((p) => p.id)])).toEqual([['adminnetworkpolicy', 1000, [anp.id]]]);
  });
});
