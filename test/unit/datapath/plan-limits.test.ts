// The agent's own check of the plan limits a bundle carries, over the policy it resolved for its
// node (no kernel): a bundle over a limit is refused with PLAN_LIMIT_EXCEEDED naming the endpoint.
import { describe, expect, it } from 'vitest';
import { planLimitErrors } from '../../../agent/datapath/plan-limits.ts';
import { resolveEndpointPolicies } from '../../../policy/evaluation/resolve.ts';
import { inventorySchema } from '../../../policy/inventory.ts';
import type { NetworkSet, PolicySet } from '../../../policy/ir.ts';
import { parsePolicyObject } from '../../../policy/kinds/index.ts';
import { buildPolicySet } from '../../../policy/policy-set.ts';

const inventory = inventorySchema.parse({
  namespaces: [{ name: 'x' }],
  endpoints: [
    { namespace: 'x', name: 'web', labels: { app: 'web' }, ipv4: ['198.18.0.1'], hostInterface: 'veth1' },
    // not on this node: its policy is the other agents' business
    { namespace: 'x', name: 'far', labels: { app: 'far' }, ipv4: ['198.18.0.2'] },
  ],
});

/** A NetworkPolicy on pods labelled `app` with one ingress rule per port, each from its own /32. */
function rulesFor(app: string, count: number) {
  const parsed = parsePolicyObject({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { namespace: 'x', name: `${app}-ingress` },
    spec: {
      podSelector: { matchLabels: { app } },
      policyTypes: ['Ingress'],
      ingress: Array.from({ length: count }, (_, i) => ({ from: [{ ipBlock: { cidr: `10.0.${i >> 8}.${i & 255}/32` } }], ports: [{ port: 1000 + i }] })),
    },
  });
  if (!parsed.ok) throw new Error('invalid test policy');
  return parsed.ir;
}

const errorsOf = (set: PolicySet) => planLimitErrors(set, resolveEndpointPolicies(set, inventory, { endpoints: 'local' }));

describe('plan limits at the agent', () => {
  it('passes a bundle whose local endpoints stay within rulesPerEndpoint', () => {
    expect(errorsOf({ ...buildPolicySet([rulesFor('web', 10)]), limits: { rulesPerEndpoint: 10 } })).toEqual([]);
  });

  it('refuses one where a local endpoint evaluates more rules than the plan allows, naming it', () => {
    const errors = errorsOf({ ...buildPolicySet([rulesFor('web', 11)]), limits: { rulesPerEndpoint: 10 } });
    expect(errors).toEqual([expect.objectContaining({ code: 'PLAN_LIMIT_EXCEEDED', endpoint: 'x/web' })]);
    expect(errors[0]!.message).toContain('11 rules');
  });

  it('counts only endpoints on this node', () => {
    expect(errorsOf({ ...buildPolicySet([rulesFor('far', 50)]), limits: { rulesPerEndpoint: 10 } })).toEqual([]);
  });

  it('refuses a network set with more CIDRs than cidrsPerSet', () => {
    const big: NetworkSet = {
      id: 'GlobalNetworkSet/big',
      kind: 'GlobalNetworkSet',
      namespace: null,
      name: 'big',
      labels: {},
      nets: ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24'],
    };
    const set = { ...buildPolicySet([], { networkSets: [big] }), limits: { cidrsPerSet: 2 } };
    expect(errorsOf(set)).toEqual([
      expect.objectContaining({ code: 'PLAN_LIMIT_EXCEEDED', message: expect.stringContaining('GlobalNetworkSet/big holds 3 CIDRs') }),
    ]);
  });

  it('checks nothing when the bundle carries no limits', () => {
    expect(errorsOf(buildPolicySet([rulesFor('web', 100)]))).toEqual([]);
  });
});
