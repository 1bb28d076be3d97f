// The policy board's order: tiers as they evaluate (admin, the tenant's tiers by order, default,
// baseline), policies by order then name inside a tier, Kubernetes policies in default at 1,000,
// staged kinds marked, non-policy objects apart.
import { describe, expect, it } from 'vitest';
import type { Policy } from '../../../console/src/client/types.ts';
import { boardOf } from '../../../console/src/policies/board.ts';

let next = 0;
function policy(apiVersion: string, kind: string, name: string, spec: Record<string, unknown>, namespace: string | null = null): Policy {
  next += 1;
  const manifest = { apiVersion, kind, metadata: { name, ...(namespace && { namespace }) }, spec };
  return {
    id: `p${next}`,
    clusterId: 'c',
    apiVersion,
    kind,
    namespace,
    name,
    manifest,
    manifestWithDefaults: manifest,
    ruleCount: 1,
    createdAt: '2026-12-01T00:00:00Z',
    updatedAt: '2026-12-01T00:00:00Z',
  };
}

describe('the policy board', () => {
  it('lists tiers in evaluation order and policies by order, then name', () => {
    const board = boardOf([
      policy('policy.networking.k8s.io/v1alpha1', 'BaselineAdminNetworkPolicy', 'default', { subject: { namespaces: {} } }),
      policy('networking.k8s.io/v1', 'NetworkPolicy', 'b-web', { podSelector: { matchLabels: { app: 'web' } } }, 'shop'),
      policy('projectcalico.org/v3', 'NetworkPolicy', 'a-first', { order: 10, selector: "app == 'db'" }, 'shop'),
      policy('projectcalico.org/v3', 'GlobalNetworkPolicy', 'sec-2', { tier: 'security', order: 200, selector: 'all()' }),
      policy('projectcalico.org/v3', 'Tier', 'security', { order: 100 }),
      policy('projectcalico.org/v3', 'GlobalNetworkPolicy', 'sec-1', { tier: 'security', order: 100 }),
      policy('policy.networking.k8s.io/v1alpha1', 'AdminNetworkPolicy', 'isolate', {
        priority: 10,
        subject: { namespaces: { matchLabels: { sensitive: 'true' } } },
      }),
      policy('projectcalico.org/v3', 'StagedNetworkPolicy', 'deny-all', { selector: 'all()' }, 'shop'),
      policy('projectcalico.org/v3', 'GlobalNetworkSet', 'blocklist', { nets: ['192.0.2.0/24'] }),
    ]);
    expect(board.tiers.map((tier) => [tier.name, tier.order])).toEqual([
      ['security', 100],
      ['adminnetworkpolicy', 1_000],
      ['default', 1_000_000],
      ['baselineadminnetworkpolicy', 10_000_000],
    ]);
    const names = (tier: string) => board.tiers.find((entry) => entry.name === tier)!.policies.map((entry) => entry.policy.name);
    expect(names('security')).toEqual(['sec-1', 'sec-2']);
    expect(names('adminnetworkpolicy')).toEqual(['isolate']);
    // Calico order 10, then the Kubernetes policy at 1,000, then a policy without order (last).
    expect(names('default')).toEqual(['a-first', 'b-web', 'deny-all']);
    expect(names('baselineadminnetworkpolicy')).toEqual(['default']);
    expect(board.others.map((entry) => `${entry.kind}/${entry.name}`)).toEqual(['GlobalNetworkSet/blocklist', 'Tier/security']);
  });

  it('shows selectors and marks staged policies', () => {
    const board = boardOf([
      policy('networking.k8s.io/v1', 'NetworkPolicy', 'web', { podSelector: { matchLabels: { app: 'web' } } }, 'shop'),
      policy('projectcalico.org/v3', 'StagedNetworkPolicy', 'deny-all', { selector: 'all()' }, 'shop'),
      policy('policy.networking.k8s.io/v1alpha1', 'AdminNetworkPolicy', 'isolate', { priority: 1, subject: { namespaces: { matchLabels: { a: 'b' } } } }),
    ]);
    const entries = board.tiers.flatMap((tier) => tier.policies);
    expect(entries.map((entry) => [entry.policy.name, entry.selector, entry.staged])).toEqual([
      ['isolate', 'namespaces a=b', false],
      ['web', 'app=web', false],
      ['deny-all', 'all()', true],
    ]);
  });

  it('shows the built-in tiers even with no policies', () => {
    expect(boardOf([]).tiers.map((tier) => tier.name)).toEqual(['adminnetworkpolicy', 'default', 'baselineadminnetworkpolicy']);
  });
});
