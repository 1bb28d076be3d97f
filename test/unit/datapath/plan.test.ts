// The plan phase (no kernel): which programs each local endpoint needs, from the resolved policy,
// and the whole plan of an apply with its refusals.
import { describe, expect, it } from 'vitest';
import type { BandwidthResolver } from '../../../agent/datapath/bandwidth/source.ts';
import { planApply, planEndpoints, programsNeeded } from '../../../agent/datapath/plan.ts';
import { resolveEndpointPolicies } from '../../../policy/evaluation/resolve.ts';
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

describe('planApply', () => {
  const noBandwidth: BandwidthResolver = () => ({ endpoints: new Map(), issues: [] });
  const emptyTable = { entries: [], capacity: 4 };
  const webLimit: BandwidthResolver = () => ({
    endpoints: new Map([['x/web-1', { egress: [{ id: 'pod/x/web-1/egress', rateBitsPerSecond: 50e6, burstBytes: 100_000, source: 'test' }], ingress: [] }]]),
    issues: [{ endpoint: 'x/web-2', field: 'kubernetes.io/egress-bandwidth', message: 'not a quantity' }],
  });

  it('plans the local endpoints and each program they need once', () => {
    const planned = planApply(policySet(denyWebIngress), inv, { resolveBandwidth: noBandwidth, bucketTable: emptyTable });
    expect(planned.ok).toBe(true);
    if (!planned.ok) return;
    expect(planned.plan.endpoints.map((p) => p.endpoint).sort()).toEqual(['x/db', 'x/web-1', 'x/web-2']);
    expect([...planned.plan.programs.keys()]).toEqual([...programsNeeded(planned.plan.endpoints).keys()]);
    expect(planned.plan.buckets).toEqual({ indexOf: new Map(), writes: [], frees: [] });
    expect(planned.plan.warnings).toEqual([]);
  });

  it('places the token buckets, and reports a limit it cannot read without refusing the bundle', () => {
    const planned = planApply(policySet(denyWebIngress), inv, { resolveBandwidth: webLimit, bucketTable: emptyTable });
    expect(planned.ok).toBe(true);
    if (!planned.ok) return;
    expect(planned.plan.buckets.indexOf).toEqual(new Map([['pod/x/web-1/egress', 0]]));
    expect(planned.plan.endpoints.find((p) => p.endpoint === 'x/web-1')!.hooks['from-pod']).toMatchObject({ bandwidth: true, key: 'egress:open:bw' });
    expect(planned.plan.warnings).toEqual([{ code: 'BANDWIDTH_INVALID', message: 'kubernetes.io/egress-bandwidth: not a quantity', endpoint: 'x/web-2' }]);
  });

  it("refuses a bundle whose buckets do not fit the node's table", () => {
    const planned = planApply(policySet(denyWebIngress), inv, { resolveBandwidth: webLimit, bucketTable: { entries: [], capacity: 0 } });
    expect(planned).toMatchObject({ ok: false, errors: [{ code: 'BANDWIDTH_LIMIT' }] });
  });

  it('refuses a bundle over the plan limits it carries, before anything else is planned', () => {
    const twoRules = parsePolicyObject({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { namespace: 'x', name: 'web-two-ports' },
      spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 80 }] }, { ports: [{ port: 443 }] }] },
    });
    if (!twoRules.ok) throw new Error('invalid test policy');
    const planned = planApply({ ...policySet(twoRules.ir), limits: { rulesPerEndpoint: 1 } }, inv, { resolveBandwidth: noBandwidth, bucketTable: emptyTable });
    expect(planned).toMatchObject({ ok: false, errors: [{ code: 'PLAN_LIMIT_EXCEEDED' }] });
  });
});
