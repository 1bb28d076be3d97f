import { describe, expect, it } from 'vitest';
import { LAST_ORDER, type NetworkSet, type Policy, policySetSchema, type TierDefinition } from '../../../policy/ir.ts';
import { buildPolicySet } from '../../../policy/policy-set.ts';
import { BUILT_IN_TIERS, effectiveTiers, missingTierIssue, policiesInTier } from '../../../policy/tiers.ts';
import { networkPolicy } from './factories.ts';
import { adminPolicy, baselinePolicy, clusterPolicy } from './factories-admin.ts';
import { calicoPolicy, globalNetworkSet, globalPolicy, networkSet, stagedPolicy, tier } from './factories-calico.ts';
import { networkSetOf, policyOf, tierOf } from './parse-helpers.ts';

const security = tierOf(tier('security', { order: 5_000 }));
const audit = tierOf(tier('audit', { defaultAction: 'Pass' }));

function layout(policies: Policy[], tiers: TierDefinition[] = []): [string, number, string, string[]][] {
  const set = policySetSchema.parse(buildPolicySet(policies, { tiers }));
  return set.tiers.map((t) => [t.name, t.order, t.defaultAction, t.policies.map((p) => p.id)]);
}

describe('buildPolicySet with every kind', () => {
  it('orders tiers admin, user tiers by order, default, baseline; unordered user tiers go last', () => {
    const policies = [
      policyOf(networkPolicy({}, { namespace: 'x', name: 'k8s' })),
      policyOf(calicoPolicy({ tier: 'security' }, { name: 'security.p' })),
      policyOf(globalPolicy({ tier: 'audit' }, { name: 'audit.g' })),
      policyOf(adminPolicy({ priority: 2 }, { name: 'anp' })),
      policyOf(baselinePolicy()),
      policyOf(clusterPolicy({ tier: 'Baseline', priority: 1 }, { name: 'cnp' })),
    ];
    expect(layout(policies, [security, audit])).toEqual([
      ['adminnetworkpolicy', 1_000, 'Pass', ['AdminNetworkPolicy/anp']],
      ['security', 5_000, 'Deny', ['CalicoNetworkPolicy/x/security.p']],
      ['default', 1_000_000, 'Deny', ['NetworkPolicy/x/k8s']],
      ['baselineadminnetworkpolicy', 10_000_000, 'Pass', ['ClusterNetworkPolicy/cnp', 'BaselineAdminNetworkPolicy/default']],
      ['audit', LAST_ORDER, 'Pass', ['GlobalNetworkPolicy/audit.g']],
    ]);
  });

  it('orders policies in a tier by order, then id; Calico policies without order after Kubernetes ones', () => {
    const policies = [
      policyOf(calicoPolicy({}, { name: 'unordered' })),
      policyOf(networkPolicy({}, { namespace: 'x', name: 'k8s' })),
      policyOf(calicoPolicy({ order: 999 }, { name: 'early' })),
      policyOf(globalPolicy({ order: 1000 }, { name: 'same-order' })),
      policyOf(stagedPolicy('StagedNetworkPolicy', { order: 1 }, { name: 'staged' })),
    ];
    expect(layout(policies)[0]?.[3]).toEqual([
      'StagedNetworkPolicy/x/staged',
      'CalicoNetworkPolicy/x/early',
      'GlobalNetworkPolicy/same-order',
      'NetworkPolicy/x/k8s',
      'CalicoNetworkPolicy/x/unordered',
    ]);
  });

  it('places admin policies by priority, AdminNetworkPolicy and ClusterNetworkPolicy together', () => {
    const policies = [
      policyOf(clusterPolicy({ priority: 5 }, { name: 'b' })),
      policyOf(adminPolicy({ priority: 5 }, { name: 'a' })),
      policyOf(adminPolicy({ priority: 1 }, { name: 'z' })),
    ];
    expect(layout(policies)[0]?.[3]).toEqual(['AdminNetworkPolicy/z', 'AdminNetworkPolicy/a', 'ClusterNetworkPolicy/b']);
  });

  it('does not depend on the order of its inputs', () => {
    const policies = [
      policyOf(adminPolicy({}, { name: 'a' })),
      policyOf(calicoPolicy({ tier: 'security' }, { name: 'security.c' })),
      policyOf(networkPolicy()),
    ];
    expect(buildPolicySet([...policies].reverse(), { tiers: [audit, security] })).toEqual(buildPolicySet(policies, { tiers: [security, audit] }));
  });

  it('breaks ties between tiers of one order by name', () => {
    const b = tierOf(tier('b-tier', { order: 10 }));
    const a = tierOf(tier('a-tier', { order: 10 }));
    const policies = [policyOf(calicoPolicy({ tier: 'b-tier' }, { name: 'b-tier.p' })), policyOf(calicoPolicy({ tier: 'a-tier' }, { name: 'a-tier.p' }))];
    expect(layout(policies, [b, a]).map(([name]) => name)).toEqual(['a-tier', 'b-tier']);
  });

  it('lets a Tier object change a built-in tier default action but not its order', () => {
    const defaultPass: TierDefinition = { name: 'default', order: 5, defaultAction: 'Pass' };
    expect(layout([policyOf(networkPolicy())], [defaultPass])).toEqual([['default', 1_000_000, 'Pass', [expect.any(String)]]]);
  });

  it('refuses a policy in a tier that does not exist, and duplicate tiers', () => {
    expect(() => buildPolicySet([policyOf(calicoPolicy({ tier: 'security' }, { name: 'security.p' }))])).toThrow(/names tier "security", which does not exist/);
    expect(() => buildPolicySet([], { tiers: [security, security] })).toThrow(/duplicate tier "security"/);
  });

  it('carries network sets sorted by id, and leaves the field out without any', () => {
    const sets: NetworkSet[] = [
      networkSetOf(globalNetworkSet({ nets: ['10.0.0.0/8'] }, { name: 'g' })),
      networkSetOf(networkSet({ nets: ['10.1.0.0/16'] }, { name: 'n' })),
    ];
    const set = policySetSchema.parse(buildPolicySet([], { networkSets: sets }));
    expect(set.networkSets?.map((s) => s.id)).toEqual(['GlobalNetworkSet/g', 'NetworkSet/x/n']);
    expect(buildPolicySet([policyOf(networkPolicy())], { networkSets: [] })).not.toHaveProperty('networkSets');
    expect(() => buildPolicySet([], { networkSets: [sets[0] as NetworkSet, sets[0] as NetworkSet] })).toThrow(/duplicate network set id/);
  });
});

describe('tier checks for the API', () => {
  const inSecurity = policyOf(calicoPolicy({ tier: 'security' }, { name: 'security.p' }));

  it('reports a policy naming a missing tier at spec.tier', () => {
    expect(missingTierIssue(inSecurity, [])).toEqual({
      path: ['spec', 'tier'],
      message: 'Not found: "security": no Tier of this name exists; create the Tier first',
    });
    expect(missingTierIssue(inSecurity, [security])).toBeNull();
    expect(missingTierIssue(policyOf(networkPolicy()), [])).toBeNull();
    expect(missingTierIssue(policyOf(adminPolicy()), [])).toBeNull();
  });

  it('lists the policies that keep a tier from being deleted', () => {
    const other = policyOf(calicoPolicy({}, { name: 'other' }));
    expect(policiesInTier('security', [inSecurity, other])).toEqual(['CalicoNetworkPolicy/x/security.p']);
    expect(policiesInTier('default', [other])).toEqual([]);
  });

  it('knows the built-in tiers', () => {
    expect(BUILT_IN_TIERS.map((t) => [t.name, t.order, t.defaultAction])).toEqual([
      ['adminnetworkpolicy', 1_000, 'Pass'],
      ['default', 1_000_000, 'Deny'],
      ['baselineadminnetworkpolicy', 10_000_000, 'Pass'],
    ]);
    expect([...effectiveTiers([security]).keys()]).toEqual(['adminnetworkpolicy', 'default', 'baselineadminnetworkpolicy', 'security']);
  });
});
