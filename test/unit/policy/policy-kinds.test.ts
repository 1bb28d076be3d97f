import { describe, expect, it } from 'vitest';
import { ACCEPTED_KINDS, parseObject, parsePolicyObject, SUPPORTING_KINDS } from '../../../policy/kinds/index.ts';
import { networkPolicy } from './factories.ts';

describe('parsePolicyObject', () => {
  it('accepts a NetworkPolicy and returns its stored form and IR', () => {
    const result = parsePolicyObject(networkPolicy({}, { name: 'p' }));
    expect(result).toMatchObject({ ok: true, apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', ir: { id: 'NetworkPolicy/x/p' } });
  });

  it('lists the accepted kinds when the kind is unknown', () => {
    const result = parsePolicyObject({ ...networkPolicy(), kind: 'FirewallRule' });
    expect(result).toEqual({
      ok: false,
      issues: [{ path: ['kind'], message: expect.stringMatching(/^Unsupported value: "FirewallRule": supported values: /) }],
    });
    if (!result.ok) {
      expect(result.issues[0]?.message).toContain('"networking.k8s.io/v1 NetworkPolicy"');
      expect(result.issues[0]?.message).toContain('"projectcalico.org/v3 GlobalNetworkPolicy"');
    }
  });

  it('names the accepted apiVersions of a known kind', () => {
    expect(parsePolicyObject({ ...networkPolicy(), apiVersion: 'extensions/v1beta1' })).toEqual({
      ok: false,
      issues: [{ path: ['apiVersion'], message: 'Unsupported value: "extensions/v1beta1": supported values: "networking.k8s.io/v1", "projectcalico.org/v3"' }],
    });
  });

  it('tells a Kubernetes NetworkPolicy from a Calico one by apiVersion', () => {
    const calico = parsePolicyObject({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'x' } });
    expect(calico).toMatchObject({ ok: true, ir: { id: 'CalicoNetworkPolicy/x/p', kind: 'CalicoNetworkPolicy' } });
  });

  it('accepts Tiers and network sets only through parseObject, which says what they are', () => {
    const tier = { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 't' }, spec: { order: 5 } };
    expect(parsePolicyObject(tier)).toMatchObject({ ok: false, issues: [{ path: ['kind'] }] });
    expect(parseObject(tier)).toMatchObject({ ok: true, kind: 'Tier', resource: { type: 'tier', tier: { name: 't', order: 5, defaultAction: 'Deny' } } });
    const set = { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkSet', metadata: { name: 'g' }, spec: { nets: ['10.0.0.0/8'] } };
    expect(parseObject(set)).toMatchObject({ ok: true, resource: { type: 'networkSet', networkSet: { id: 'GlobalNetworkSet/g' } } });
    expect(parseObject(networkPolicy({}, { name: 'p' }))).toMatchObject({ ok: true, resource: { type: 'policy', policy: { id: 'NetworkPolicy/x/p' } } });
  });

  it('requires kind and apiVersion', () => {
    const { kind: _kind, ...noKind } = networkPolicy();
    expect(parsePolicyObject(noKind)).toEqual({ ok: false, issues: [{ path: ['kind'], message: 'Required value' }] });
    const { apiVersion: _apiVersion, ...noVersion } = networkPolicy();
    expect(parsePolicyObject(noVersion)).toEqual({ ok: false, issues: [{ path: ['apiVersion'], message: 'Required value' }] });
  });

  it('refuses what is not an object', () => {
    for (const input of [null, 'NetworkPolicy', [networkPolicy()], 42]) {
      const result = parsePolicyObject(input);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.issues[0]?.path).toEqual([]);
    }
  });

  it('exposes each accepted kind with its schema for the API documentation', () => {
    expect(ACCEPTED_KINDS.map((k) => `${k.apiVersion} ${k.kind}`)).toEqual([
      'networking.k8s.io/v1 NetworkPolicy',
      'policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy',
      'policy.networking.k8s.io/v1alpha1 BaselineAdminNetworkPolicy',
      'policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy',
      'projectcalico.org/v3 NetworkPolicy',
      'projectcalico.org/v3 GlobalNetworkPolicy',
      'projectcalico.org/v3 StagedNetworkPolicy',
      'projectcalico.org/v3 StagedGlobalNetworkPolicy',
      'projectcalico.org/v3 StagedKubernetesNetworkPolicy',
    ]);
    expect(ACCEPTED_KINDS.every((k) => k.resourceType === 'policy')).toBe(true);
    expect(SUPPORTING_KINDS.map((k) => `${k.kind}: ${k.resourceType}`)).toEqual([
      'Tier: tier',
      'NetworkSet: networkSet',
      'GlobalNetworkSet: networkSet',
      'HostEndpoint: hostEndpoint',
      'BandwidthPolicy: bandwidthPolicy',
    ]);
    expect(ACCEPTED_KINDS[0]?.schema.safeParse(networkPolicy()).success).toBe(true);
  });
});
