// The fast yes the agent takes for a bundle's payload (policy/validation/fast-accept.ts) must say yes
// exactly where zod's parse does: a yes zod would not give lets an invalid bundle through unchecked.
// Checked over a bundle using every part of the IR and the mutations of the hostile-input suites.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BUNDLE_API_VERSION, bundlePayloadSchema } from '../../../policy/bundle/payload.ts';
import type { PolicySet } from '../../../policy/ir.ts';
import { acceptorOf, parseWithFastAccept, UnsupportedSchemaError } from '../../../policy/validation/fast-accept.ts';
import { applyMutation, leavesOf, mutation } from '../properties/hostile-json.ts';

const all = { op: 'all' } as const;
const app = (value: string) => ({ op: 'eq', key: 'app', value }) as const;

/** One policy set that uses every field and every kind of peer, selector, port and limit. */
const everyPart: PolicySet = {
  tiers: [
    {
      name: 'security',
      order: 100,
      defaultAction: 'Pass',
      policies: [
        {
          id: 'GlobalNetworkPolicy/sec.p1',
          kind: 'GlobalNetworkPolicy',
          namespace: null,
          name: 'sec.p1',
          order: 500,
          staged: false,
          tier: 'security',
          subject: { namespaceSelector: all, podSelector: { op: 'not', arg: { op: 'in', key: 'role', values: ['db', 'cache'] } } },
          directions: ['ingress', 'egress'],
          ingress: [
            {
              action: 'Deny',
              name: 'no-scan',
              ports: [{ protocol: 'TCP', port: 22, endPort: 23 }, { protocol: 'TCP', name: 'http' }, { protocol: 'SCTP' }],
              peers: [
                {
                  endpoints: {
                    namespaceSelector: {
                      op: 'and',
                      args: [
                        { op: 'has', key: 'team' },
                        { op: 'startsWith', key: 'env', value: 'pr' },
                      ],
                    },
                    podSelector: { op: 'or', args: [app('a'), { op: 'notIn', key: 'tier', values: [] }, { op: 'none' }] },
                    serviceAccounts: { names: ['builder'], selector: { op: 'notHas', key: 'x' } },
                  },
                  networkSets: true,
                  nets: ['10.0.0.0/8'],
                },
                { ipBlock: { cidr: '192.168.0.0/16', except: ['192.168.1.0/24'] } },
                { service: { namespace: 'kube-system', name: 'kube-dns' }, endpointPorts: true },
              ],
              notPorts: [{ protocol: 'UDP', port: 53 }],
              srcPorts: [{ protocol: 'TCP', port: 1024, endPort: 65535 }],
              notSrcPorts: [{ protocol: 'TCP', port: 1 }],
              notProtocol: 'ICMP',
              notPeers: [{ ipBlock: { cidr: '10.1.0.0/16', except: [] } }],
              localPeers: [{ endpoints: { namespaceSelector: all, podSelector: app('b') } }],
              notLocalPeers: [{ endpoints: { namespaceSelector: all, podSelector: { op: 'endsWith', key: 'app', value: 'z' } } }],
              nodes: [{ op: 'contains', key: 'zone', value: 'eu' }],
            },
            { action: 'Log', ports: [], peers: [], protocolNumber: 47, notProtocolNumber: 50, ipVersion: 6 },
            { action: 'Allow', ports: [{ protocol: 'ICMP' }], peers: [], icmp: { type: 8, code: 0 }, notICMP: { type: 3 }, ipVersion: 4 },
          ],
          egress: [{ action: 'Pass', ports: [], peers: [{ ipBlock: { cidr: '0.0.0.0/0', except: [] } }] }],
          untracked: { hostEndpoints: { op: 'neq', key: 'role', value: 'edge' }, ingress: [{ action: 'Deny', ports: [], peers: [] }] },
        },
        {
          id: 'NetworkPolicy/z/p2',
          kind: 'NetworkPolicy',
          namespace: 'z',
          name: 'p2',
          order: 1000,
          staged: true,
          stagedTarget: 'NetworkPolicy/z/p2',
          subject: { namespaceSelector: app('z'), podSelector: all },
          directions: [],
          ingress: [],
          egress: [],
        },
      ],
    },
  ],
  networkSets: [{ id: 'GlobalNetworkSet/bad', kind: 'GlobalNetworkSet', namespace: null, name: 'bad', labels: { feed: 'threat' }, nets: ['203.0.113.0/24'] }],
  bandwidthPolicies: [
    {
      id: 'BandwidthPolicy/z/cap',
      namespace: 'z',
      name: 'cap',
      subject: { namespaceSelector: all, podSelector: all },
      scope: 'Namespace',
      ingress: { rateBitsPerSecond: 80_000_000, burstBytes: 65_536 },
      egress: { rateBitsPerSecond: 1, burstBytes: 1 },
    },
  ],
  hostEndpoints: [{ id: 'HostEndpoint/n1-eth0', name: 'n1-eth0', node: 'n1', interfaceName: 'eth0', expectedIPs: ['10.9.0.1'], labels: { role: 'edge' } }],
  limits: { rulesPerEndpoint: 10_000, cidrsPerSet: 100, bandwidthCeiling: { egress: { rateBitsPerSecond: 1000, burstBytes: 1500 } } },
};

const payload = {
  apiVersion: BUNDLE_API_VERSION,
  kind: 'Bundle',
  tenantId: '0b5f1c52-3c5e-4a8e-9a8f-3f3f3f3f3f3f',
  clusterId: '9d3c1c52-3c5e-4a8e-8a8f-3f3f3f3f3f3f',
  revision: 7,
  issuedAt: '2026-12-07T10:00:00.000Z',
  expiresAt: '2026-12-08T10:00:00.000Z',
  contentHash: 'a'.repeat(64),
  policy: everyPart,
};

const accept = acceptorOf(bundlePayloadSchema);
const zodAccepts = (value: unknown) => bundlePayloadSchema.safeParse(value).success;

/** Field names and enum values of the IR, so mutants add fields and values the schema knows. */
const vocabulary = [
  ...new Set(
    JSON.stringify(payload)
      .match(/"[A-Za-z][A-Za-z0-9./-]*"/g)
      ?.map((word) => word.slice(1, -1)) ?? [],
  ),
  'port',
  'endPort',
  'ICMPv6',
  'GlobalNetworkSet',
];
/** The valid bundle's leaves, and numbers on either side of every bound the IR sets. */
const boundaries = [-1, 0, 0.5, 1, 2, 4, 5, 6, 47, 254, 255, 256, 65_535, 65_536, 2 ** 53 - 1, 2 ** 53, Number.MAX_VALUE];
const knownValues = [...new Set([...leavesOf(payload), ...boundaries])];

describe('a fast yes for a bundle payload', () => {
  it('accepts the bundle that uses every part of the IR, as zod does, and hands it back as zod parses it', () => {
    expect(zodAccepts(payload)).toBe(true);
    expect(accept(payload)).toBe(true);
    const parsed = parseWithFastAccept(bundlePayloadSchema)(JSON.parse(JSON.stringify(payload)));
    expect(parsed).toEqual({ success: true, data: bundlePayloadSchema.parse(payload) });
  });

  it('says yes exactly where zod does, over mutations of a valid bundle', () => {
    fc.assert(
      fc.property(fc.array(mutation(vocabulary, knownValues), { minLength: 1, maxLength: 3 }), (mutations) => {
        const mutant = mutations.reduce<unknown>((value, change) => applyMutation(value, change), payload);
        let fast: boolean | 'overflow';
        try {
          fast = accept(mutant);
        } catch (error) {
          if (!(error instanceof RangeError)) throw error;
          fast = 'overflow'; // too deep to walk: parseWithFastAccept hands it to zod
        }
        if (fast !== 'overflow') expect(fast).toBe(zodAccepts(mutant));
      }),
      { numRuns: 1500 },
    );
  });

  it('says yes exactly where zod does, with every value of the bundle replaced by each bound’s neighbours', () => {
    const paths = JSON.stringify(payload).match(/[[{,:]/g)!.length; // at least as many as the bundle has: `at` wraps around
    for (let at = 0; at < paths; at++) {
      for (const value of [...boundaries, '', 'x', null, true]) {
        const mutant = applyMutation(payload, { type: 'replace', at, value });
        expect(accept(mutant), JSON.stringify({ at, value })).toBe(zodAccepts(mutant));
      }
    }
  });

  it('says yes exactly where zod does, for any JSON value as the payload or the policy set', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(accept(value)).toBe(zodAccepts(value));
        const withPolicy = { ...payload, policy: value };
        expect(accept(withPolicy)).toBe(zodAccepts(withPolicy));
      }),
      { numRuns: 1000 },
    );
  });

  it('leaves the refusal to zod, with zod’s message', () => {
    const parse = parseWithFastAccept(bundlePayloadSchema);
    const wrongPort = structuredClone(payload);
    wrongPort.policy.tiers[0]!.policies[0]!.ingress[0]!.ports[0]!.port = 70_000;
    expect(parse(wrongPort)).toEqual(bundlePayloadSchema.safeParse(wrongPort));
    expect(parse(wrongPort).success).toBe(false);
    const notUuid = { ...payload, tenantId: 'tenant-a' };
    expect(parse(notUuid).success).toBe(false);
    const extraField = { ...payload, policy: { ...everyPart, extra: true } };
    expect(parse(extraField).success).toBe(false);
    // values JSON.parse never makes, answered as zod answers them
    const sparse = structuredClone(payload);
    sparse.policy.tiers[0]!.policies[0]!.directions = new Array(1) as never;
    expect(accept(sparse)).toBe(false);
    expect(zodAccepts(sparse)).toBe(false);
    const nullPrototype = Object.assign(Object.create(null) as object, payload);
    expect(parse(nullPrototype)).toEqual(bundlePayloadSchema.safeParse(nullPrototype));
  });

  it('refuses to stand in for a schema whose parse changes what it accepts', () => {
    expect(() => acceptorOf(z.strictObject({ a: z.string().trim() }))).toThrow(UnsupportedSchemaError);
    expect(() => acceptorOf(z.object({ a: z.string() }))).toThrow(UnsupportedSchemaError);
    expect(() => acceptorOf(z.strictObject({ a: z.number().default(1) }))).toThrow(UnsupportedSchemaError);
    expect(() => acceptorOf(z.strictObject({ a: z.string().transform((s) => s.length) }))).toThrow(UnsupportedSchemaError);
    // and a schema it cannot take is parsed by zod alone
    const parse = parseWithFastAccept(z.strictObject({ a: z.string().trim() }));
    expect(parse({ a: ' x ' })).toEqual({ success: true, data: { a: 'x' } });
  });
});
