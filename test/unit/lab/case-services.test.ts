// A case's `services`: parsed strictly, placed in the topology, and turned into EndpointSlices the
// way the Kubernetes EndpointSlice controller publishes them, again after a relabel; a Service with
// a ClusterIP gets the node's DNATs (the lab's kube-proxy) and probes to that ClusterIP.
import { describe, expect, it } from 'vitest';
import { kubeProxyRules } from '../../../lab/case/cluster-ips.ts';
import { serviceInventory } from '../../../lab/case/endpoint-slices.ts';
import { expandProbes, expandTopology, type LabTopology } from '../../../lab/case/expand.ts';
import { applyRelabels } from '../../../lab/case/relabel.ts';
import { parseCase } from '../../../lab/case/schema.ts';
import { unwrap } from '../../../lab/errors.ts';
import { serviceNatScript } from '../../../lab/net/service-nat.ts';

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
        clusterIPs: [],
        ports: [
          { name: 'http', port: 8080, protocol: 'TCP' },
          { name: 'alt', port: 9090, protocol: 'UDP' },
        ],
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
        clusterIPs: [],
        ports: [{ port: 8080, protocol: 'TCP' }],
        slices: [
          { addresses: ['addr-of-x/a'], ports: [{ port: 8000, protocol: 'TCP' }] },
          { addresses: ['addr-of-x/b'], ports: [] },
        ],
      },
    ]);
  });

  it('gives a Service without a selector no endpoints, as Kubernetes does', () => {
    expect(serviceInventory(topology([{ namespace: 'x', name: 'manual', ports: [{ port: 80 }] }]), addressOf)).toEqual([
      { namespace: 'x', name: 'manual', clusterIPs: [], ports: [{ port: 80, protocol: 'TCP' }], slices: [] },
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

describe('a Service with a ClusterIP (the lab as kube-proxy)', () => {
  // y/a serves TCP 80 as serve-80-tcp in the xyz model; the Service answers on 8080 for it.
  const services = [
    {
      namespace: 'y',
      name: 'web',
      clusterIP: '10.96.0.30',
      selector: { pod: 'a' },
      ports: [
        { port: 8080, targetPort: 'serve-80-tcp' },
        { port: 81, protocol: 'UDP' },
      ],
    },
    { namespace: 'y', name: 'none', clusterIP: '10.96.0.31', selector: { pod: 'nobody' }, ports: [{ port: 80 }] },
    { namespace: 'y', name: 'headless', selector: { pod: 'a' }, ports: [{ port: 80 }] },
  ];
  const t = topology(services);
  const ip = (key: string) => `198.18.0.${['x/a', 'y/a'].indexOf(key) + 1}`;

  it('is in the inventory with its ClusterIP and ports', () => {
    expect(serviceInventory(t, addressOf)[0]).toMatchObject({
      clusterIPs: ['10.96.0.30'],
      ports: [
        { port: 8080, protocol: 'TCP' },
        { port: 81, protocol: 'UDP' },
      ],
    });
  });

  it('gets one DNAT per Service port to its endpoint on the targetPort; none without endpoints or ClusterIP', () => {
    const rules = kubeProxyRules(t, ip);
    expect(rules).toEqual([
      { clusterIP: '10.96.0.30', port: 8080, protocol: 'TCP', endpoint: '198.18.0.2', targetPort: 80 },
      { clusterIP: '10.96.0.30', port: 81, protocol: 'UDP', endpoint: '198.18.0.2', targetPort: 81 },
    ]);
    expect(serviceNatScript(rules).split('\n')).toContain('-A PREROUTING -d 10.96.0.30/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 198.18.0.2:80');
  });

  it('expands a probe to the Service from every other pod to its ClusterIP, with the endpoint as `to` for except', () => {
    const probes = unwrap(expandProbes(t, [{ service: 'y/web', port: 8080, protocol: 'TCP', default: true, except: [{ from: 'x/*', to: 'y/a' }] }]));
    expect(probes).toHaveLength(t.pods.length - 1);
    expect(probes.every((p) => p.to === 'y/a' && p.address === '10.96.0.30' && p.port === 8080 && p.targetPort === 80)).toBe(true);
    expect(probes.find((p) => p.from === 'x/a')?.expected).toBe(false);
    expect(probes.find((p) => p.from === 'z/a')?.expected).toBe(true);
  });

  it('refuses a probe to an undeclared or headless Service, to a port it lacks, or one without an endpoint, with the path', () => {
    for (const [service, port] of [
      ['y/missing', 80],
      ['y/headless', 80],
      ['y/web', 9999],
      ['y/none', 80],
    ] as const) {
      const r = expandProbes(t, [{ service, port, protocol: 'TCP', default: true, except: [] }]);
      expect(r.ok, service).toBe(false);
      if (!r.ok) expect(r.error).toMatchObject({ code: 'unknown_service', details: { path: expect.stringMatching(/^probes\.0\./) } });
    }
  });

  it('refuses a ClusterIP that is not an IPv4 address', () => {
    expect(caseWith([{ namespace: 'x', name: 'web', clusterIP: 'None' }]).ok).toBe(false);
  });
});
