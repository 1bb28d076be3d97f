// Which programs each local endpoint needs, from the resolved policy (no kernel).
import { describe, expect, it } from 'vitest';
import { resolveEndpointPolicies } from '../../../policy/evaluation/resolve.ts';
import { planEndpoints, programsNeeded } from '../../../agent/datapath/plan.ts';
import { inventorySchema } from '../../../policy/inventory.ts';
import { parsePolicyObject } from '../../../policy/kinds/index.ts';
import { buildPolicySet } from '../../../policy/policy-set.ts';

const pod = (name: string, app: string, i: number, local = true) => ({
  namespace: 'x',
  name,
  labels: { app },
  ipv4: [`198.18.0.${i}`],
  ...(local && { hostInterface: `veth${i}` }),
});
const inv = inventorySchema.parse({
  namespaces: [{ name: 'x' }],
  endpoints: [pod('web-1', 'web', 1), pod('web-2', 'web', 2), pod('db', 'db', 3), pod('remote', 'web', 4, false)],
});
const parsed = parsePolicyObject({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { namespace: 'x', name: 'web-ingress' },
  spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] },
});
if (!parsed.ok) throw new Error('invalid test policy');
const policySet = (...policies: (typeof parsed.ir)[]) => buildPolicySet(policies);
const denyWebIngress = parsed.ir;

describe('planEndpoints', () => {
  const plans = planEndpoints(resolveEndpointPolicies(policySet(denyWebIngress), inv));

  it('plans only endpoints on this node', () => {
    expect(plans.map((p) => p.endpoint).sort()).toEqual(['x/db', 'x/web-1', 'x/web-2']);
  });

  it('gives a selected endpoint both hooks: its policy on one, the recording allow program on the other', () => {
    const web = plans.find((p) => p.endpoint === 'x/web-1')!;
    expect(web.hooks['to-pod']).toMatchObject({ direction: 'ingress', key: `ingress:${web.hooks['to-pod']!.policy!.hash}` });
    expect(web.hooks['from-pod']).toEqual({ direction: 'egress', key: 'egress:open', policy: null, bandwidth: false });
  });

  it('gives an endpoint no policy selects no program', () => {
    expect(plans.find((p) => p.endpoint === 'x/db')!.hooks).toEqual({});
  });

  it('shares one program between endpoints whose policies hash alike', () => {
    const needed = programsNeeded(plans);
    expect([...needed.keys()].sort()).toEqual(['egress:open', `ingress:${plans.find((p) => p.endpoint === 'x/web-1')!.hooks['to-pod']!.policy!.hash}`].sort());
    expect([...needed.values()].map((n) => n.endpoints.sort())).toEqual([
      ['x/web-1', 'x/web-2'],
      ['x/web-1', 'x/web-2'],
    ]);
  });
});
