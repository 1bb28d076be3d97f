// Policies of one tier in Felix's order (felix/calc/policy_sorter.go, PolKVLess): ascending order, an
// unset order last (+infinity, tying with every other unset one), ties by the Calico key name across
// kinds, where a namespaced policy's name carries its namespace.
import { describe, expect, it } from 'vitest';
import type { Policy } from '../../../policy/ir.ts';
import { calicoPolicyKeyName } from '../../../policy/policy-order.ts';
import { buildPolicySet } from '../../../policy/policy-set.ts';
import { networkPolicy } from './factories.ts';
import { calicoPolicy, globalPolicy, stagedPolicy, tier } from './factories-calico.ts';
import { policyOf, tierOf } from './parse-helpers.ts';

const sec = tierOf(tier('sec', { order: 100 }));
const inTier = (policies: Policy[], name: string) =>
  buildPolicySet(policies, { tiers: [sec] })
    .tiers.find((t) => t.name === name)!
    .policies.map((p) => p.id);

describe('order ties', () => {
  it("a GlobalNetworkPolicy sec.p1 goes before a NetworkPolicy z/sec.p2 of the same order (the issue's example)", () => {
    const p1 = policyOf(globalPolicy({ tier: 'sec', order: 500, selector: 'all()' }, { name: 'sec.p1' }));
    const p2 = policyOf(calicoPolicy({ tier: 'sec', order: 500, selector: 'all()' }, { name: 'sec.p2', namespace: 'z' }));
    expect(inTier([p2, p1], 'sec')).toEqual([p1.id, p2.id]);
    expect(inTier([p1, p2], 'sec')).toEqual([p1.id, p2.id]);
  });

  it('breaks ties by the key name, namespace first: a/sec.z before b/sec.a before the global sec.b', () => {
    const az = policyOf(calicoPolicy({ tier: 'sec', order: 1 }, { name: 'sec.z', namespace: 'a' }));
    const ba = policyOf(calicoPolicy({ tier: 'sec', order: 1 }, { name: 'sec.a', namespace: 'b' }));
    const global = policyOf(globalPolicy({ tier: 'sec', order: 1 }, { name: 'sec.b' }));
    // "a/sec.z" < "b/sec.a" < "sec.b" as bytes
    expect(inTier([global, ba, az], 'sec')).toEqual([az.id, ba.id, global.id]);
  });

  it('an unset order is +infinity: after every ordered policy, tied with the other unset ones by name', () => {
    const unsetB = policyOf(globalPolicy({ tier: 'sec' }, { name: 'sec.b' }));
    const unsetA = policyOf(calicoPolicy({ tier: 'sec' }, { name: 'sec.a', namespace: 'x' }));
    const huge = policyOf(globalPolicy({ tier: 'sec', order: 1e300 }, { name: 'sec.z' }));
    expect(inTier([unsetB, unsetA, huge], 'sec')).toEqual([huge.id, unsetB.id, unsetA.id]); // "sec.b" < "x/sec.a"
  });

  it('in the default tier, Kubernetes NetworkPolicies (order 1000) tie with Calico ones by knp.default.<name>', () => {
    const knp = policyOf(networkPolicy({}, { name: 'zzz', namespace: 'x' }));
    const calico = policyOf(calicoPolicy({ order: 1000 }, { name: 'm', namespace: 'x' }));
    const calicoFirst = policyOf(calicoPolicy({ order: 1000 }, { name: 'a', namespace: 'x' }));
    expect(calicoPolicyKeyName(knp)).toBe('x/knp.default.zzz');
    expect(calicoPolicyKeyName(calico)).toBe('x/default.m');
    // "x/default.a" < "x/default.m" < "x/knp.default.zzz"
    expect(inTier([knp, calico, calicoFirst], 'default')).toEqual([calicoFirst.id, calico.id, knp.id]);
  });

  it('staged kinds carry staged: after the namespace', () => {
    expect(calicoPolicyKeyName(policyOf(stagedPolicy('StagedNetworkPolicy', { tier: 'sec' }, { name: 'sec.p', namespace: 'x' })))).toBe('x/staged:sec.p');
    expect(calicoPolicyKeyName(policyOf(stagedPolicy('StagedGlobalNetworkPolicy', {}, { name: 'p' })))).toBe('staged:default.p');
    expect(calicoPolicyKeyName(policyOf(stagedPolicy('StagedKubernetesNetworkPolicy', { podSelector: {} }, { name: 'p', namespace: 'x' })))).toBe(
      'x/staged:knp.default.p',
    );
  });
});
