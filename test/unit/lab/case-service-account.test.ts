// A lab pod may name its service account (FORMAT.md); without one it runs as `default` with no labels,
// as in Kubernetes. Either way the account reaches the agent's inventory, as the Kubernetes source
// fills it, so policies selecting by service account see the same pods in the lab as in a cluster.
import { describe, expect, it } from 'vitest';
import { expandTopology } from '../../../lab/case/expand.ts';
import { parseCase } from '../../../lab/case/schema.ts';
import { unwrap } from '../../../lab/errors.ts';
import type { Topology } from '../../../lab/net/topology.ts';
import { inventoryOf } from '../../../lab/run/inventory.ts';
import { inventorySchema } from '../../../policy/inventory.ts';

describe('lab pod service accounts', () => {
  it('pass from the case to the inventory; a pod naming none runs as default', () => {
    const c = unwrap(
      parseCase({
        name: 'n',
        topology: 'xyz',
        pods: [{ namespace: 'x', name: 'a', serviceAccount: { name: 'api', labels: { team: 'core' } } }],
        steps: [{}],
      }),
    );
    const topology = unwrap(expandTopology(c));
    const byKey = new Map(topology.pods.map((p) => [p.key, p]));
    expect(byKey.get('x/a')!.serviceAccount).toEqual({ name: 'api', labels: { team: 'core' } });
    expect(byKey.get('y/b')!.serviceAccount).toEqual({ name: 'default', labels: {} });
    const net = { pods: new Map(topology.pods.map((p, i) => [p.key, { ip: `198.18.0.${i + 1}`, hostIfName: `h${i}` }])) } as unknown as Topology;
    const inventory = inventorySchema.parse(inventoryOf(topology, net, 'node'));
    const endpoint = (key: string) => inventory.endpoints.find((e) => `${e.namespace}/${e.name}` === key)!;
    expect(endpoint('x/a').serviceAccount).toEqual({ name: 'api', labels: { team: 'core' } });
    expect(endpoint('z/c').serviceAccount).toEqual({ name: 'default', labels: {} });
  });

  it('are refused when the name is not a Kubernetes name, with the path', () => {
    const parsed = parseCase({ name: 'n', namespaces: { a: {} }, pods: [{ namespace: 'a', name: 'p', serviceAccount: { name: 'Bad Name' } }], steps: [{}] });
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.error.message).toContain('pods.0.serviceAccount.name');
  });
});
