// A flood from outside the node at a host endpoint is dropped at XDP, before connection tracking,
// while traffic from other sources passes; the eBPF dataplane reports the drops per rule (status
// and metrics). The node and the outside are two network namespaces joined by a veth (lab/net/
// host-link.ts); the flood is bench/loadgen.c's UDP mode, a new flow per datagram.
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEbpfDataplaneWith, type EbpfDataplane } from '../../../agent/datapath/ebpf-dataplane.ts';
import { createHostLink, type HostLink } from '../../../lab/net/host-link.ts';
import { BUNDLE_API_VERSION, type BundlePayload } from '../../../policy/bundle/payload.ts';
import { contentHashOf } from '../../../policy/bundle/sign.ts';
import { inventorySchema } from '../../../policy/inventory.ts';
import { policySetFromObjects } from '../../../policy/policy-set-from-objects.ts';
import { describeIf, NEEDS_ROOT } from '../../support/needs.ts';
import { uniqueSuffix } from '../bpf/harness.ts';

const T = { timeout: 60_000 };
const PORT = 9999;
const DENIED_NET = '203.0.113.0/24';

function bundle(revision: number, objects: unknown[]): BundlePayload {
  const policy = policySetFromObjects(objects);
  return {
    apiVersion: BUNDLE_API_VERSION,
    kind: 'Bundle',
    tenantId: randomUUID(),
    clusterId: randomUUID(),
    revision,
    issuedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    contentHash: contentHashOf(policy),
    policy,
  };
}

describeIf(process.getuid?.() === 0, NEEDS_ROOT)('host endpoint protection at XDP', () => {
  let link: HostLink;
  let dataplane: EbpfDataplane;
  const nodeName = `xdp-test-${uniqueSuffix()}`;
  const inventory = inventorySchema.parse({ namespaces: [], endpoints: [] });

  beforeAll(() => {
    link = createHostLink();
    dataplane = createEbpfDataplaneWith({ nodeName, logger: pino({ level: 'silent' }), netns: link.nodeNetns });
  });

  afterAll(async () => {
    await dataplane?.uninstall();
    link?.destroy();
  });

  const objects = () => [
    {
      apiVersion: 'projectcalico.org/v3',
      kind: 'HostEndpoint',
      metadata: { name: `${nodeName}-ext`, labels: { role: 'edge' } },
      spec: { node: nodeName, interfaceName: link.hostIf },
    },
    {
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkSet',
      metadata: { name: 'flooders', labels: { list: 'flooders' } },
      spec: { nets: [DENIED_NET] },
    },
    {
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkPolicy',
      metadata: { name: 'drop-flooders' },
      spec: {
        selector: "role == 'edge'",
        doNotTrack: true,
        applyOnForward: true,
        ingress: [
          { action: 'Deny', protocol: 'TCP', source: { nets: ['192.0.2.0/24'] } },
          { action: 'Deny', protocol: 'UDP', source: { selector: "list == 'flooders'" }, destination: { ports: [PORT] } },
        ],
      },
    },
  ];

  it('drops the flood from the denied net at XDP and passes the rest, counting the rule that dropped it', T, async () => {
    const report = await dataplane.apply({ bundle: bundle(1, objects()), inventory });
    {
      expect(report.errors).toEqual([]);
      expect(report.applied).toBe(true);
      const status = report.programs[`HostEndpoint/${nodeName}-ext`];
      expect(status).toMatchObject({ rules: 2, xdp: { interface: link.hostIf, mode: 'native', droppedPackets: 0 } });

      const before = link.udpArrived();
      const flood = link.flood({ srcBase: '203.0.113.1', srcCount: 200, seconds: 1, port: PORT });
      expect(flood).toBeGreaterThan(1000);
      const afterFlood = link.udpArrived();
      // Nothing of the flood reached the node's stack (so no conntrack entry either).
      expect(afterFlood - before).toBe(0);
      const hits = dataplane.untrackedHits();
      const udpRule = hits.find((h) => h.ruleIndex === 1)!;
      // veth's XDP ring may drop a burst before the program sees it: at most what was sent.
      expect(udpRule.packets).toBeGreaterThan(0);
      expect(udpRule.packets).toBeLessThanOrEqual(flood);
      expect(udpRule).toMatchObject({ interface: link.hostIf, mode: 'native', policyId: 'GlobalNetworkPolicy/drop-flooders', tier: 'default' });
      expect(hits.find((h) => h.ruleIndex === 0)!.packets).toBe(0);

      const allowed = link.flood({ srcBase: '198.51.100.1', srcCount: 10, seconds: 0.2, port: PORT });
      expect(link.udpArrived() - afterFlood).toBeGreaterThan(0);
      expect(link.udpArrived() - afterFlood).toBeLessThanOrEqual(allowed);
      expect(dataplane.untrackedHits().find((h) => h.ruleIndex === 1)!.packets).toBe(udpRule.packets);

      const observed = dataplane.observe();
      expect(observed.untracked?.reduce((n, h) => n + h.packets, 0)).toBe(udpRule.packets);
      expect(dataplane.liveStats()[`HostEndpoint/${nodeName}-ext`]).toMatchObject({ xdp: { droppedPackets: udpRule.packets } });
    }
  });

  it('falls back to generic XDP on an interface whose driver has no native XDP (loopback)', T, async () => {
    const endpoint = {
      apiVersion: 'projectcalico.org/v3',
      kind: 'HostEndpoint',
      metadata: { name: `${nodeName}-lo`, labels: { role: 'edge' } },
      spec: { node: nodeName, interfaceName: 'lo' },
    };
    const report = await dataplane.apply({ bundle: bundle(10, [...objects(), endpoint]), inventory });
    expect(report.errors).toEqual([]);
    expect(report.programs[`HostEndpoint/${nodeName}-lo`]).toMatchObject({ rules: 2, xdp: { interface: 'lo', mode: 'generic' } });
    expect(report.programs[`HostEndpoint/${nodeName}-ext`]).toMatchObject({ xdp: { mode: 'native' } });
  });

  it('keeps an unchanged program (and its counters) across applies, and detaches when the host endpoint goes', T, async () => {
    const dropped = dataplane.untrackedHits().reduce((n, h) => n + h.packets, 0);
    expect((await dataplane.apply({ bundle: bundle(2, objects()), inventory })).errors).toEqual([]);
    expect(dataplane.untrackedHits().reduce((n, h) => n + h.packets, 0)).toBe(dropped);

    const report = await dataplane.apply({ bundle: bundle(3, objects().slice(1)), inventory });
    expect(report.errors).toEqual([]);
    expect(dataplane.untrackedHits()).toEqual([]);
    const before = link.udpArrived();
    link.flood({ srcBase: '203.0.113.1', srcCount: 10, seconds: 0.2, port: PORT });
    expect(link.udpArrived() - before).toBeGreaterThan(0);
  });
});
