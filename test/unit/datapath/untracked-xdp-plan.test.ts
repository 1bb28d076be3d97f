// Which host interfaces of a node get which untracked rules, and the tables their XDP program
// looks up (pure; the kernel side is test/dataplane/xdp).
import { describe, expect, it } from 'vitest';
import { planHostProtection } from '../../../agent/datapath/xdp/plan.ts';
import { buildXdpTables } from '../../../agent/datapath/xdp/tables.ts';
import { inventorySchema } from '../../../policy/inventory.ts';
import { policySetFromObjects } from '../../../policy/policy-set-from-objects.ts';

const calico = (kind: string, name: string, spec: Record<string, unknown>, labels?: Record<string, string>) => ({
  apiVersion: 'projectcalico.org/v3',
  kind,
  metadata: { name, ...(labels && { labels }) },
  spec,
});
const untracked = (name: string, selector: string, ingress: unknown[]) =>
  calico('GlobalNetworkPolicy', name, { selector, doNotTrack: true, applyOnForward: true, ingress });

const inventory = inventorySchema.parse({
  namespaces: [{ name: 'shop' }],
  endpoints: [{ namespace: 'shop', name: 'scanner', labels: { role: 'scanner' }, ipv4: ['10.9.0.5'] }],
});

const objects = [
  calico('HostEndpoint', 'n1-eth0', { node: 'n1', interfaceName: 'eth0' }, { role: 'edge' }),
  calico('HostEndpoint', 'n1-eth1', { node: 'n1', interfaceName: 'eth1' }, { role: 'internal' }),
  calico('HostEndpoint', 'n1-ips', { node: 'n1', expectedIPs: ['192.0.2.1'] }, { role: 'edge' }),
  calico('HostEndpoint', 'n2-eth0', { node: 'n2', interfaceName: 'eth0' }, { role: 'edge' }),
  calico('GlobalNetworkSet', 'blocked', { nets: ['203.0.113.0/24', '2001:db8::/32'] }, { list: 'blocked' }),
  untracked('edge-drops', "role == 'edge'", [
    { action: 'Deny', source: { selector: "list == 'blocked' || role == 'scanner'" } },
    { action: 'Deny', protocol: 'UDP', source: { nets: ['203.0.113.128/25'] }, destination: { ports: [53] } },
  ]),
  calico('GlobalNetworkPolicy', 'pods', { selector: "role == 'edge'", ingress: [{ action: 'Allow' }] }),
];

describe('host protection plan', () => {
  it("gives each of this node's host interfaces the untracked rules that select it, resolved to addresses", () => {
    const plan = planHostProtection(policySetFromObjects(objects), inventory, 'n1');
    expect(plan.interfaces.map((i) => [i.interfaceName, i.rules.length])).toEqual([
      ['eth0', 2],
      ['eth1', 0],
    ]);
    const [first, second] = plan.interfaces[0]!.rules;
    expect(first).toMatchObject({ slot: 0, tier: 'default', policyId: 'GlobalNetworkPolicy/edge-drops', ruleIndex: 0 });
    // the network set's nets and the selected pod's address
    expect(first!.terms.flatMap((t) => (t.remote === 'any' ? [] : t.remote.map((b) => b.cidr)))).toEqual(['10.9.0.5/32', '203.0.113.0/24', '2001:db8::/32']);
    expect(second!.terms).toEqual([{ protocol: 'UDP', ports: [{ first: 53, last: 53 }], remote: [{ family: 4, cidr: '203.0.113.128/25', except: [] }] }]);
    expect(plan.errors).toEqual([{ code: 'HOST_ENDPOINT_UNENFORCED', message: expect.stringContaining('HostEndpoint/n1-ips names no interface') }]);
  });

  it('plans nothing on a node without host endpoints', () => {
    expect(planHostProtection(policySetFromObjects(objects), inventory, 'n3')).toEqual({ interfaces: [], errors: [] });
  });

  it('gives every trie prefix the bits of exactly the terms whose set holds it', () => {
    const rules = planHostProtection(policySetFromObjects(objects), inventory, 'n1').interfaces[0]!.rules;
    const built = buildXdpTables(rules);
    if (!built.ok) throw new Error(built.message);
    const byPrefix = Object.fromEntries(built.tables.entries.map((e) => [`${[...e.addr].join('.')}/${e.prefix}`, e.mask]));
    // term 0: rule 0 (pod and set), term 1: rule 1 (the /25, UDP 53)
    expect(byPrefix['203.0.113.0/24']).toBe(0b01n);
    expect(byPrefix['203.0.113.128/25']).toBe(0b11n);
    expect(byPrefix['10.9.0.5/32']).toBe(0b01n);
    expect(built.tables.terms).toEqual([
      { slot: 0, protocol: null, ports: null },
      { slot: 1, protocol: 17, ports: [{ first: 53, last: 53 }] },
    ]);
    expect(built.tables.anyMask).toBe(0n);
  });

  it('refuses a term XDP cannot check, and more terms than the trie value has bits', () => {
    const rule = (terms: unknown[]) => [{ slot: 0, tier: 'default', policyId: 'GlobalNetworkPolicy/p', ruleIndex: 0, terms }] as never;
    const except = buildXdpTables(rule([{ protocol: 'any', ports: 'any', remote: 'any', except: [{ protocol: 'TCP', ports: 'any', remote: 'any' }] }]));
    expect(except).toMatchObject({ ok: false, code: 'UNTRACKED_RULE_UNSUPPORTED' });
    const many = buildXdpTables(rule(Array.from({ length: 65 }, (_, i) => ({ protocol: 'TCP', ports: [{ first: i + 1, last: i + 1 }], remote: 'any' }))));
    expect(many).toMatchObject({ ok: false, code: 'COMPILE_LIMIT', message: expect.stringContaining('at most 64') });
  });
});
