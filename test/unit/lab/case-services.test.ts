// A case's `services`: parsed strictly, placed in the topology, and turned into EndpointSlices the
// way the Kubernetes EndpointSlice controller publishes them, again after a relabel.
import { describe, expect, it } from 'vitest';
import { serviceInventory } from '../../../lab/case/endpoint-slices.ts';
import { expandTopology, type LabTopology } from '../../../lab/case/expand.ts';
import { applyRelabels } from '../../../lab/case/relabel.ts';
import { parseCase } from '../../../lab/case/schema.ts';
import { unwrap } from '../../../lab/errors.ts';

const caseWith = (services: unknown, pods: unknown[] = []) => parseCase({ name: 'services', topology: 'xyz', pods, services, steps: [{}] });

const addressOf = (key: string) => [`addr-of-${key}`];

function topology(services: unknown, pods: unknown[] = []): LabTopology {
  return unwrap(expandTopology(unwrap(caseWith(services, pods))));
}

describe('case services', () => {
  it('are parsed with their defaults: TCP, no selector', () => {
    const t = topology([{ namespace: 'x', name: 'web', ports: [{ port: 80 }] }]);
    expect(t.services).toEqual([{ namespace: 'x', name: 'web', selector: {}, ports: [{ port: 80, protocol: 'TCP' }] }]);
  });

  it('are refused with their path when misspelt, in an undeclared namespace, or declared twice', () => {
    const misspelt = caseWith([{ namespace: 'x', name: 'web', selectr: {} }]);
    expect(misspelt.ok).toBe(false);
    if (!misspelt.ok) expect(misspelt.error.message).toContain('services.0');
    const unknown = expandTopology(unwrap(caseWith([{ namespace: 'q', name: 'web' }])));
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.error).toMatchObject({ code: 'unknown_namespace' });
    const twice = expandTopology(
      unwrap(
        caseWith([
          { namespace: 'x', name: 'web' },
          { namespace: 'x', name: 'web' },
        ]),
      ),
    );
    expect(twice.ok).toBe(false);
    if (!twice.ok) expect(twice.error).toMatchObject({ code: 'duplicate_service' });
  });
});

describe('serviceInventory (the EndpointSlice controller, in small)', () => {
  it("selects the pods of the Service's namespace holding every selector pair, with numbered and named target ports", () => {
    const t = topology([
      {
        namespace: 'y',
        name: 'web',
        selector: { pod: 'a' },
        ports: [
          { name: 'http', port: 8080, targetPort: 'serve-80-tcp' },
          { name: 'alt', port: 9090, targetPort: 81, protocol: 'UDP' },
        ],
      },
    ]);
    expect(serviceInventory(t, addressOf)).toEqual([
      {
        namespace: 'y',
        name: 'web',
        slices: [
          {
            addresses: ['addr-of-y/a'],
            ports: [
              { name: 'http', port: 80, protocol: 'TCP' },
              { name: 'alt', port: 81, protocol: 'UDP' },
            ],
          },
        ],
      },
    ]);
  });

  it('leaves out a named port a pod does not declare (for that protocol), grouping pods by their resolved ports', () => {
    const t = topology(
      [{ namespace: 'x', name: 'web', selector: { app: 'web' }, ports: [{ port: 8080, targetPort: 'http' }] }],
      [
        { namespace: 'x', name: 'a', labels: { app: 'web' }, ports: [{ port: 8000, name: 'http' }] },
        { namespace: 'x', name: 'b', labels: { app: 'web' }, ports: [{ port: 8000, name: 'http', protocol: 'UDP' }] },
      ],
    );
    expect(serviceInventory(t, addressOf)).toEqual([
      {
        namespace: 'x',
        name: 'web',
        slices: [
          { addresses: ['addr-of-x/a'], ports: [{ port: 8000, protocol: 'TCP' }] },
          { addresses: ['addr-of-x/b'], ports: [] },
        ],
      },
    ]);
  });

  it('gives a Service without a selector no endpoints, as Kubernetes does', () => {
    expect(serviceInventory(topology([{ namespace: 'x', name: 'manual', ports: [{ port: 80 }] }]), addressOf)).toEqual([
      { namespace: 'x', name: 'manual', slices: [] },
    ]);
  });

  it('follows relabels: a pod leaves the Service, another joins', () => {
    const t = topology(
      [{ namespace: 'x', name: 'backend', selector: { app: 'backend' }, ports: [{ port: 80 }] }],
      [{ namespace: 'x', name: 'b', labels: { pod: 'b', app: 'backend' }, ports: [{ port: 80 }] }],
    );
    const before = serviceInventory(t, addressOf)[0]!.slices.flatMap((s) => s.addresses);
    expect(before).toEqual(['addr-of-x/b']);
    const relabelled = unwrap(
      applyRelabels(t, [
        { kind: 'Pod', namespace: 'x', name: 'b', labels: { pod: 'b' } },
        { kind: 'Pod', namespace: 'x', name: 'c', labels: { pod: 'c', app: 'backend' } },
      ]),
    );
    expect(relabelled.services).toEqual(t.services);
    expect(serviceInventory(relabelled, addressOf)[0]!.slices.flatMap((s) => s.addresses)).toEqual(['addr-of-x/c']);
  });
});
