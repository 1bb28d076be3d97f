// A lab pod may carry annotations (the bandwidth ones reach the agent's inventory, as from Kubernetes).
import { describe, expect, it } from 'vitest';
import { expandTopology } from '../../../lab/case/expand.ts';
import { parseCase } from '../../../lab/case/schema.ts';
import { unwrap } from '../../../lab/errors.ts';
import type { Topology } from '../../../lab/net/topology.ts';
import { inventoryOf } from '../../../lab/run/inventory.ts';
import { inventorySchema } from '../../../policy/inventory.ts';

describe('lab pod annotations', () => {
  it('pass from the case to the inventory, the bandwidth ones only', () => {
    const annotations = { 'kubernetes.io/egress-bandwidth': '50M', 'example.com/note': 'kept out' };
    const c = unwrap(
      parseCase({
        name: 'n',
        namespaces: { a: {} },
        pods: [
          { namespace: 'a', name: 'p', annotations },
          { namespace: 'a', name: 'q' },
        ],
        steps: [{}],
      }),
    );
    const topology = unwrap(expandTopology(c));
    expect(topology.pods[0]!.annotations).toEqual(annotations);
    expect(topology.pods[1]).not.toHaveProperty('annotations');
    const net = {
      pods: new Map([
        ['a/p', { ip: '198.18.0.1', hostIfName: 'h0' }],
        ['a/q', { ip: '198.18.0.2', hostIfName: 'h1' }],
      ]),
    } as unknown as Topology;
    const inventory = inventorySchema.parse(inventoryOf(topology, net, 'node'));
    expect(inventory.endpoints[0]!.annotations).toEqual({ 'kubernetes.io/egress-bandwidth': '50M' });
    expect(inventory.endpoints[1]).not.toHaveProperty('annotations');
  });

  it('must be strings', () => {
    expect(parseCase({ name: 'n', namespaces: { a: {} }, pods: [{ namespace: 'a', name: 'p', annotations: { x: 1 } }], steps: [{}] }).ok).toBe(false);
  });
});
