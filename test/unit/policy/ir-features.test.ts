import { describe, expect, it } from 'vitest';
import { irFeaturesOf, unsupportedIrFeatures } from '../../../policy/ir-features.ts';
import { buildPolicySet } from '../../../policy/policy-set.ts';
import { networkPolicy } from './factories.ts';
import { adminPolicy } from './factories-admin.ts';
import { calicoPolicy, globalNetworkSet, globalPolicy, stagedPolicy } from './factories-calico.ts';
import { networkSetOf, policyOf } from './parse-helpers.ts';

describe('irFeaturesOf', () => {
  it('finds none in Kubernetes NetworkPolicies, which the compiler handles today', () => {
    expect(irFeaturesOf(buildPolicySet([policyOf(networkPolicy({ ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 80 }] }] }))]))).toEqual([]);
  });

  it('lists every optional feature a Calico policy uses', () => {
    const policy = policyOf(
      calicoPolicy({
        serviceAccountSelector: 'a == "b"',
        ingress: [
          {
            action: 'Allow',
            protocol: 'TCP',
            ipVersion: 4,
            notProtocol: 99,
            source: { selector: 'x == "y"', nets: ['10.0.0.0/8'], notNets: ['10.1.0.0/16'], ports: [1] },
            destination: { notPorts: [2], selector: 'app == "a"' },
          },
          { action: 'Allow', protocol: 'ICMP', notProtocol: 'UDP', icmp: { type: 8 } },
          { action: 'Allow', protocol: 47 },
        ],
      }),
    );
    expect(irFeaturesOf(buildPolicySet([policy]))).toEqual([
      'notPorts',
      'sourcePorts',
      'protocolNumbers',
      'notProtocol',
      'icmp',
      'ipVersion',
      'notPeers',
      'localPeers',
      'serviceAccounts',
      'peerNets',
    ]);
  });

  it('reports selector peers as using network sets only when the cluster has network sets', () => {
    const policy = policyOf(calicoPolicy({ ingress: [{ action: 'Allow', source: { selector: "role == 'db'" } }] }));
    expect(irFeaturesOf(buildPolicySet([policy]))).toEqual([]);
    const withSets = buildPolicySet([policy], { networkSets: [networkSetOf(globalNetworkSet({ nets: ['10.0.0.0/8'] }))] });
    expect(irFeaturesOf(withSets)).toEqual(['networkSets']);
  });

  it('finds node peers, staged targets and network sets', () => {
    const set = buildPolicySet(
      [
        policyOf(adminPolicy({ egress: [{ action: 'Deny', to: [{ nodes: {} }] }] })),
        policyOf(stagedPolicy('StagedKubernetesNetworkPolicy', { podSelector: {} })),
      ],
      { networkSets: [networkSetOf(globalNetworkSet({ nets: ['10.0.0.0/8'] }))] },
    );
    expect(irFeaturesOf(set)).toEqual(['nodePeers', 'networkSets', 'stagedTargets']);
    expect(unsupportedIrFeatures(set, ['networkSets'])).toEqual(['nodePeers', 'stagedTargets']);
  });

  it('finds untracked host policy in a doNotTrack policy, with the features its rules use', () => {
    const policy = policyOf(
      globalPolicy({ doNotTrack: true, applyOnForward: true, ingress: [{ action: 'Deny', ipVersion: 4, source: { nets: ['10.0.0.0/8'] } }] }),
    );
    expect(irFeaturesOf(buildPolicySet([policy]))).toEqual(['ipVersion', 'untrackedHostPolicy']);
  });

  it('finds bandwidth in bandwidth policies and in a plan ceiling', () => {
    const ceiling = { rateBitsPerSecond: 1e9, burstBytes: 6_250_000 };
    expect(irFeaturesOf(buildPolicySet([], { limits: { rulesPerEndpoint: 10 } }))).toEqual([]);
    expect(irFeaturesOf(buildPolicySet([], { limits: { bandwidthCeiling: { egress: ceiling } } }))).toEqual(['bandwidth']);
    const policy = {
      id: 'BandwidthPolicy/x/a',
      namespace: 'x',
      name: 'a',
      subject: { namespaceSelector: { op: 'all' as const }, podSelector: { op: 'all' as const } },
      scope: 'Pod' as const,
      egress: ceiling,
    };
    expect(irFeaturesOf(buildPolicySet([], { bandwidthPolicies: [policy] }))).toEqual(['bandwidth']);
  });
});
