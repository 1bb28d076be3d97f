// A pod talking to itself is allowed whatever its policies say ("a pod cannot block access to itself",
// Kubernetes' NetworkPolicy docs): the traffic never leaves its network namespace, so the dataplane,
// which enforces on the pod's veth, never sees it. The reference evaluator (and so explain) agrees.
import { describe, expect, it } from 'vitest';
import { reachable } from '../../../policy/evaluation/reachable.ts';
import { inventory, networkPolicy, pod, policySet } from './factories.ts';

describe('a pod to itself', () => {
  const pods = inventory([pod('shop/backend-1', { labels: { app: 'backend' } }), pod('shop/frontend-1', { labels: { app: 'frontend' } })]);
  const denyAll = policySet(networkPolicy('shop', 'deny-all', { policyTypes: ['Ingress', 'Egress'] }));

  it('is allowed under policies that deny everything else, with no trace', () => {
    const self = reachable(pods, denyAll, 'shop/backend-1', 'shop/backend-1', 9090, 'TCP');
    expect(self).toEqual({ allowed: true, sameEndpoint: true, egress: { verdict: 'allow', trace: [] }, ingress: { verdict: 'allow', trace: [] } });
    expect(reachable(pods, denyAll, 'shop/frontend-1', 'shop/backend-1', 9090, 'TCP').allowed).toBe(false);
  });

  it('still names an unknown pod', () => {
    expect(() => reachable(pods, denyAll, 'shop/nope', 'shop/nope', 80, 'TCP')).toThrow(/unknown endpoint shop\/nope/);
  });
});
