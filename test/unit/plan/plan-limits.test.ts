// Plan limits: the values per plan, reading rows that predate a limit, what a bundle carries, and
// rules per endpoint after expansion.
import { describe, expect, it } from 'vitest';
import { defaultBurstBytes } from '../../../policy/bandwidth/burst.ts';
import { inventorySchema } from '../../../policy/inventory.ts';
import { bundleLimitsOf } from '../../../policy/plan/bundle-limits.ts';
import { maxRulesPerEndpoint } from '../../../policy/plan/endpoint-rules.ts';
import { PLANS, planLimitsSchema, tenantLimits } from '../../../policy/plan/limits.ts';
import { policySetFromObjects } from '../../../policy/policy-set-from-objects.ts';

describe('plans', () => {
  it('are valid limits, growing from free to enterprise', () => {
    for (const plan of Object.values(PLANS)) planLimitsSchema.parse(plan);
    expect([PLANS.free, PLANS.team, PLANS.enterprise].map((p) => p.bandwidthCeilingBitsPerSecond)).toEqual([1e9, 1e10, 1e11]);
  });

  it('fill limits a stored row lacks from its plan, keeping what it has', () => {
    const old = { clusters: 3, policies: 200, rulesPerPolicy: 100 };
    expect(tenantLimits('team', old)).toEqual({ ...PLANS.team, ...old });
    expect(tenantLimits('enterprise', { ...old, cidrsPerSet: 7 }).cidrsPerSet).toBe(7);
    expect(tenantLimits('retired-plan', old).bandwidthCeilingBitsPerSecond).toBe(PLANS.free.bandwidthCeilingBitsPerSecond);
  });

  it('give the bundle the limits the agent enforces, the ceiling with its default burst', () => {
    const ceiling = { rateBitsPerSecond: 1e9, burstBytes: defaultBurstBytes(1e9) };
    expect(bundleLimitsOf(PLANS.free)).toEqual({ rulesPerEndpoint: 1_000, cidrsPerSet: 1_000, bandwidthCeiling: { ingress: ceiling, egress: ceiling } });
  });
});

describe('maxRulesPerEndpoint', () => {
  const inventory = inventorySchema.parse({
    namespaces: [{ name: 'shop' }],
    endpoints: [
      { namespace: 'shop', name: 'web', labels: { app: 'web' }, ipv4: ['198.18.0.1'], hostInterface: 'veth0' },
      { namespace: 'shop', name: 'db', labels: { app: 'db' }, ipv4: ['198.18.0.2'] },
    ],
  });
  const policy = (name: string, podSelector: Record<string, unknown>, ingressPorts: number[], egressPorts: number[] = []) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: 'shop' },
    spec: {
      podSelector,
      policyTypes: ['Ingress', 'Egress'],
      ingress: ingressPorts.map((port) => ({ ports: [{ port }] })),
      egress: egressPorts.map((port) => ({ ports: [{ port }] })),
    },
  });

  it('counts the terms of the longest direction of the busiest endpoint, over every selecting policy', () => {
    const set = policySetFromObjects([policy('all', {}, [1, 2, 3], [1]), policy('db', { matchLabels: { app: 'db' } }, [4, 5], [2, 3, 4, 5, 6])]);
    expect(maxRulesPerEndpoint(set, inventory)).toEqual({ rules: 6, endpoint: 'shop/db', direction: 'egress' });
    // The agent counts its own endpoints only.
    expect(maxRulesPerEndpoint(set, inventory, { endpoints: 'local' })).toEqual({ rules: 3, endpoint: 'shop/web', direction: 'ingress' });
  });

  it('is 0 when nothing selects any endpoint', () => {
    expect(maxRulesPerEndpoint(policySetFromObjects([]), inventory)).toEqual({ rules: 0, endpoint: null, direction: null });
  });
});
