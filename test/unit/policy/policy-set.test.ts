import { describe, expect, it } from 'vitest';
import { type Policy, policySetSchema } from '../../../policy/ir.ts';
import { parsePolicyObject } from '../../../policy/kinds/index.ts';
import { buildPolicySet } from '../../../policy/policy-set.ts';
import { networkPolicy } from './factories.ts';

function policyNamed(namespace: string, name: string): Policy {
  const result = parsePolicyObject(networkPolicy({}, { namespace, name }));
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.ir;
}

describe('buildPolicySet', () => {
  it('is empty without policies', () => {
    expect(buildPolicySet([])).toEqual({ tiers: [] });
  });

  it('puts NetworkPolicies in the default tier, which denies what its policies select but do not allow', () => {
    const set = policySetSchema.parse(buildPolicySet([policyNamed('x', 'a')]));
    expect(set.tiers).toHaveLength(1);
    expect(set.tiers[0]).toMatchObject({ name: 'default', order: 1_000_000, defaultAction: 'Deny' });
  });

  it('orders policies by order then id, whatever the input order', () => {
    const policies = [policyNamed('y', 'a'), policyNamed('x', 'b'), policyNamed('x', 'a')];
    const ids = (ps: Policy[]) => buildPolicySet(ps).tiers[0]?.policies.map((p) => p.id);
    const expected = ['NetworkPolicy/x/a', 'NetworkPolicy/x/b', 'NetworkPolicy/y/a'];
    expect(ids(policies)).toEqual(expected);
    expect(ids([...policies].reverse())).toEqual(expected);
    const earlier = { ...policyNamed('z', 'z'), order: 10 };
    expect(ids([...policies, earlier])?.[0]).toBe('NetworkPolicy/z/z');
  });

  it('refuses two policies with one id, since flow logs name rules by it', () => {
    expect(() => buildPolicySet([policyNamed('x', 'a'), policyNamed('x', 'a')])).toThrow(/duplicate policy id/);
  });

  it('refuses a policy naming a tier that does not exist', () => {
    expect(() => buildPolicySet([{ ...policyNamed('x', 'a'), tier: 'nowhere' }])).toThrow(/names tier "nowhere", which does not exist/);
  });
});
