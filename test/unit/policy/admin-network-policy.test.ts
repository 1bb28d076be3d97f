import { describe, expect, it } from 'vitest';
import { adminPolicy } from './factories-admin.ts';
import { expectIssue, expectStoredIsStable, expectValid, policyOf, storedOf } from './parse-helpers.ts';

const pods = { namespaceSelector: { matchLabels: { team: 'a' } }, podSelector: { matchLabels: { app: 'db' } } };

describe('AdminNetworkPolicy validation', () => {
  it('is accepted with every field in use, status included', () => {
    expectValid({
      ...adminPolicy({
        priority: 0,
        subject: { pods },
        ingress: [
          { name: 'from-monitoring', action: 'Allow', from: [{ namespaces: { matchLabels: { kubernetes: 'monitoring' } } }, { pods }] },
          {
            action: 'Pass',
            from: [{ namespaces: {} }],
            ports: [{ portNumber: { protocol: 'UDP', port: 53 } }, { portRange: { start: 1000, end: 2000 } }, { namedPort: 'http' }],
          },
        ],
        egress: [
          { action: 'Deny', to: [{ networks: ['10.0.0.0/8', '2001:db8::/32'] }, { nodes: { matchLabels: { role: 'cp' } } }] },
          { action: 'Allow', to: [{ pods }], ports: [{ namedPort: 'metrics' }] },
        ],
      }),
      status: { conditions: [] },
    });
  });

  it('requires a priority from 0 to 1000 and a subject', () => {
    expectIssue(adminPolicy({ priority: 1001 }), ['spec', 'priority'], 'Invalid value: 1001: must be between 0 and 1000, inclusive');
    expectIssue(adminPolicy({ priority: -1 }), ['spec', 'priority'], 'Invalid value: -1: must be between 0 and 1000, inclusive');
    expectIssue(adminPolicy({ priority: 1.5 }), ['spec', 'priority'], 'Invalid value: 1.5: must be an integer');
    const { subject: _subject, ...noSubject } = adminPolicy().spec as Record<string, unknown>;
    expectIssue({ ...adminPolicy(), spec: noSubject }, ['spec', 'subject'], 'Required value');
  });

  it('requires exactly one of namespaces and pods in a subject and in a peer', () => {
    expectIssue(adminPolicy({ subject: {} }), ['spec', 'subject'], 'Required value: must specify exactly one of: `namespaces`, `pods`');
    expectIssue(adminPolicy({ subject: { namespaces: {}, pods } }), ['spec', 'subject', 'pods'], 'Forbidden: may not be specified together with `namespaces`');
    expectIssue(adminPolicy({ ingress: [{ action: 'Allow', from: [{}] }] }), ['spec', 'ingress', 0, 'from', 0], /must specify exactly one of/);
    expectIssue(
      adminPolicy({ egress: [{ action: 'Allow', to: [{ networks: ['10.0.0.0/8'], nodes: {} }] }] }),
      ['spec', 'egress', 0, 'to', 0, 'networks'],
      'Forbidden: may not be specified together with `nodes`',
    );
  });

  it('requires pods peers to name both selectors', () => {
    expectIssue(adminPolicy({ subject: { pods: { podSelector: {} } } }), ['spec', 'subject', 'pods', 'namespaceSelector'], 'Required value');
  });

  it('limits rules and peers to 100 and requires at least one peer', () => {
    const rules = Array.from({ length: 101 }, () => ({ action: 'Deny', from: [{ namespaces: {} }] }));
    expectIssue(adminPolicy({ ingress: rules }), ['spec', 'ingress'], 'Too many: 101: must have at most 100 items');
    expectIssue(adminPolicy({ ingress: [{ action: 'Deny', from: [] }] }), ['spec', 'ingress', 0, 'from'], 'Required value: must have at least one item');
    expectIssue(adminPolicy({ ingress: [{ action: 'Deny' }] }), ['spec', 'ingress', 0, 'from'], 'Required value');
    expectIssue(adminPolicy({ ingress: [{ action: 'Deny', from: [{ namespaces: {} }], ports: [] }] }), ['spec', 'ingress', 0, 'ports'], /at least one item/);
  });

  it('accepts the actions Allow, Deny and Pass and names up to 100 characters', () => {
    expectIssue(
      adminPolicy({ ingress: [{ action: 'Accept', from: [{ namespaces: {} }] }] }),
      ['spec', 'ingress', 0, 'action'],
      'Unsupported value: "Accept": supported values: "Allow", "Deny", "Pass"',
    );
    expectIssue(
      adminPolicy({ ingress: [{ name: 'n'.repeat(101), action: 'Deny', from: [{ namespaces: {} }] }] }),
      ['spec', 'ingress', 0, 'name'],
      /must be no more than 100 characters/,
    );
  });

  it('checks ports: one form each, valid numbers, start below end, valid names', () => {
    const withPort = (port: unknown) => adminPolicy({ ingress: [{ action: 'Deny', from: [{ namespaces: {} }], ports: [port] }] });
    const at = ['spec', 'ingress', 0, 'ports', 0];
    expectIssue(withPort({}), at, /must specify exactly one of: `portNumber`, `portRange`, `namedPort`/);
    expectIssue(withPort({ portNumber: { port: 80 }, namedPort: 'x' }), [...at, 'namedPort'], /may not be specified together/);
    expectIssue(
      withPort({ portNumber: { protocol: 'ICMP', port: 80 } }),
      [...at, 'portNumber', 'protocol'],
      'Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"',
    );
    expectIssue(withPort({ portNumber: { port: 0 } }), [...at, 'portNumber', 'port'], 'Invalid value: 0: must be between 1 and 65535, inclusive');
    expectIssue(withPort({ portRange: { start: 90, end: 90 } }), [...at, 'portRange', 'end'], 'Invalid value: 90: must be greater than `start`');
    expectIssue(withPort({ namedPort: 'Web' }), [...at, 'namedPort'], /must contain only alpha-numeric characters/);
  });

  it('checks networks: CIDRs (host bits allowed), at most 25', () => {
    const withNetworks = (networks: unknown) => adminPolicy({ egress: [{ action: 'Deny', to: [{ networks }] }] });
    const at = ['spec', 'egress', 0, 'to', 0, 'networks'];
    expectValid(withNetworks(['10.0.0.1/8']));
    expectIssue(withNetworks(['10.0.0.1']), [...at, 0], /must be a valid CIDR value/);
    expectIssue(withNetworks([]), at, /at least one item/);
    expectIssue(withNetworks(Array.from({ length: 26 }, (_, i) => `10.${i}.0.0/16`)), at, 'Too many: 26: must have at most 25 items');
  });

  it('refuses named ports with peers that have none, and domain names', () => {
    expectIssue(
      adminPolicy({ egress: [{ action: 'Allow', to: [{ networks: ['10.0.0.0/8'] }], ports: [{ namedPort: 'http' }] }] }),
      ['spec', 'egress', 0, 'ports'],
      /cannot use namedPort/,
    );
    expectIssue(
      adminPolicy({ egress: [{ action: 'Allow', to: [{ domainNames: ['example.com'] }] }] }),
      ['spec', 'egress', 0, 'to', 0, 'domainNames'],
      'Forbidden: domain name peers are not supported',
    );
  });

  it('is cluster-scoped', () => {
    expectIssue(adminPolicy({}, { namespace: 'x' }), ['metadata', 'namespace'], 'Forbidden: not allowed on this type');
  });
});

describe('AdminNetworkPolicy defaults and IR', () => {
  it('defaults port protocols to TCP and leaves empty lists out', () => {
    const policy = adminPolicy(
      { egress: [], ingress: [{ action: 'Deny', from: [{ namespaces: {} }], ports: [{ portNumber: { port: 80 } }, { portRange: { start: 1, end: 2 } }] }] },
      { name: 'a' },
    );
    expect(storedOf(policy).spec).toEqual({
      priority: 10,
      subject: { namespaces: {} },
      ingress: [
        {
          action: 'Deny',
          from: [{ namespaces: {} }],
          ports: [{ portNumber: { protocol: 'TCP', port: 80 } }, { portRange: { protocol: 'TCP', start: 1, end: 2 } }],
        },
      ],
    });
    expectStoredIsStable(policy);
  });

  it('sits in the adminnetworkpolicy tier at its priority', () => {
    expect(policyOf(adminPolicy({ priority: 7 }, { name: 'a' }))).toMatchObject({
      id: 'AdminNetworkPolicy/a',
      kind: 'AdminNetworkPolicy',
      namespace: null,
      tier: 'adminnetworkpolicy',
      order: 7,
      staged: false,
    });
  });

  it('selects pods by namespace, or by namespace and pod', () => {
    expect(policyOf(adminPolicy({ subject: { namespaces: { matchLabels: { a: 'b' } } } })).subject).toEqual({
      namespaceSelector: { op: 'eq', key: 'a', value: 'b' },
      podSelector: { op: 'all' },
    });
    expect(policyOf(adminPolicy({ subject: { pods } })).subject).toEqual({
      namespaceSelector: { op: 'eq', key: 'team', value: 'a' },
      podSelector: { op: 'eq', key: 'app', value: 'db' },
    });
  });

  it('governs only the directions it has rules for', () => {
    expect(policyOf(adminPolicy()).directions).toEqual([]);
    expect(policyOf(adminPolicy({ egress: [{ action: 'Deny', to: [{ namespaces: {} }] }] })).directions).toEqual(['egress']);
  });

  it('turns peers into endpoints, IP blocks and node selectors; ports into IR ports', () => {
    const policy = policyOf(
      adminPolicy({
        egress: [
          {
            name: 'r',
            action: 'Pass',
            to: [{ pods }, { networks: ['10.1.2.3/16'] }, { nodes: { matchLabels: { role: 'cp' } } }],
            ports: [{ portNumber: { protocol: 'UDP', port: 53 } }, { portRange: { protocol: 'SCTP', start: 9000, end: 9100 } }],
          },
          { action: 'Allow', to: [{ namespaces: {} }], ports: [{ namedPort: 'http' }] },
        ],
      }),
    );
    expect(policy.egress).toEqual([
      {
        name: 'r',
        action: 'Pass',
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'SCTP', port: 9000, endPort: 9100 },
        ],
        peers: [
          { endpoints: { namespaceSelector: { op: 'eq', key: 'team', value: 'a' }, podSelector: { op: 'eq', key: 'app', value: 'db' } } },
          { ipBlock: { cidr: '10.1.0.0/16', except: [] } },
        ],
        nodes: [{ op: 'eq', key: 'role', value: 'cp' }],
      },
      {
        action: 'Allow',
        ports: [
          { protocol: 'TCP', name: 'http' },
          { protocol: 'UDP', name: 'http' },
          { protocol: 'SCTP', name: 'http' },
        ],
        peers: [{ endpoints: { namespaceSelector: { op: 'all' }, podSelector: { op: 'all' } } }],
      },
    ]);
  });
});
