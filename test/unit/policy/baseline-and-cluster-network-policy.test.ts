import { describe, expect, it } from 'vitest';
import { baselinePolicy, clusterPolicy } from './factories-admin.ts';
import { expectIssue, expectStoredIsStable, expectValid, policyOf, storedOf } from './parse-helpers.ts';

describe('BaselineAdminNetworkPolicy', () => {
  it('must be named "default"', () => {
    expectValid(baselinePolicy());
    expectIssue(baselinePolicy({}, { name: 'other' }), ['metadata', 'name'], /must be "default": only one BaselineAdminNetworkPolicy/);
  });

  it('allows only the actions Allow and Deny, and no domain names', () => {
    expectIssue(
      baselinePolicy({ ingress: [{ action: 'Pass', from: [{ namespaces: {} }] }] }),
      ['spec', 'ingress', 0, 'action'],
      'Unsupported value: "Pass": supported values: "Allow", "Deny"',
    );
    expectIssue(
      baselinePolicy({ egress: [{ action: 'Deny', to: [{ domainNames: ['a.example'] }] }] }),
      ['spec', 'egress', 0, 'to', 0, 'domainNames'],
      'unknown field "domainNames"',
    );
    expectValid(baselinePolicy({ egress: [{ action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }, { nodes: {} }] }] }));
  });

  it('has no priority', () => {
    expectIssue(baselinePolicy({ priority: 1 }), ['spec', 'priority'], 'unknown field "priority"');
  });

  it('sits in the baselineadminnetworkpolicy tier', () => {
    const policy = baselinePolicy({ ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }] });
    expect(policyOf(policy)).toMatchObject({
      id: 'BaselineAdminNetworkPolicy/default',
      tier: 'baselineadminnetworkpolicy',
      order: 1000,
      directions: ['ingress'],
    });
    expectStoredIsStable(policy);
  });
});

describe('ClusterNetworkPolicy (v1alpha2)', () => {
  it('requires a tier, Admin or Baseline, and a priority', () => {
    expectIssue(clusterPolicy({ tier: 'Developer' }), ['spec', 'tier'], 'Unsupported value: "Developer": supported values: "Admin", "Baseline"');
    expectIssue(clusterPolicy({ tier: undefined }), ['spec', 'tier'], 'Required value');
    expectIssue(clusterPolicy({ priority: 2000 }), ['spec', 'priority'], 'Invalid value: 2000: must be between 0 and 1000, inclusive');
  });

  it('uses Accept, Deny and Pass', () => {
    expectIssue(
      clusterPolicy({ ingress: [{ action: 'Allow', from: [{ namespaces: {} }] }] }),
      ['spec', 'ingress', 0, 'action'],
      'Unsupported value: "Allow": supported values: "Accept", "Deny", "Pass"',
    );
  });

  it('limits rules and peers to 25', () => {
    const rules = Array.from({ length: 26 }, () => ({ action: 'Deny', from: [{ namespaces: {} }] }));
    expectIssue(clusterPolicy({ ingress: rules }), ['spec', 'ingress'], 'Too many: 26: must have at most 25 items');
    const peers = Array.from({ length: 26 }, () => ({ namespaces: {} }));
    expectIssue(clusterPolicy({ ingress: [{ action: 'Deny', from: peers }] }), ['spec', 'ingress', 0, 'from'], 'Too many: 26: must have at most 25 items');
  });

  it('checks protocols: exactly one of tcp, udp, sctp, destinationNamedPort; one port form', () => {
    const withProtocol = (protocol: unknown) => clusterPolicy({ ingress: [{ action: 'Deny', from: [{ namespaces: {} }], protocols: [protocol] }] });
    const at = ['spec', 'ingress', 0, 'protocols', 0];
    expectValid(withProtocol({ tcp: { destinationPort: { number: 443 } } }));
    expectIssue(withProtocol({}), at, /must specify exactly one of: `tcp`, `udp`, `sctp`, `destinationNamedPort`/);
    expectIssue(withProtocol({ tcp: {} }), [...at, 'tcp', 'destinationPort'], 'Required value');
    expectIssue(
      withProtocol({ udp: { destinationPort: { number: 53, range: { start: 1, end: 2 } } } }),
      [...at, 'udp', 'destinationPort', 'range'],
      /may not be specified together with `number`/,
    );
    expectIssue(
      withProtocol({ sctp: { destinationPort: { range: { start: 5, end: 4 } } } }),
      [...at, 'sctp', 'destinationPort', 'range', 'end'],
      'Invalid value: 4: must be greater than `start`',
    );
    expectIssue(withProtocol({ icmp: {} }), [...at, 'icmp'], 'unknown field "icmp"');
  });

  it('refuses named ports towards networks', () => {
    expectIssue(
      clusterPolicy({ egress: [{ action: 'Accept', to: [{ networks: ['10.0.0.0/8'] }], protocols: [{ destinationNamedPort: 'http' }] }] }),
      ['spec', 'egress', 0, 'protocols'],
      /cannot use namedPort/,
    );
  });

  it('defaults an absent namespaceSelector of a pods subject to every namespace', () => {
    const policy = clusterPolicy({ subject: { pods: { podSelector: { matchLabels: { a: 'b' } } } } });
    expect((storedOf(policy).spec as { subject: unknown }).subject).toEqual({ pods: { namespaceSelector: {}, podSelector: { matchLabels: { a: 'b' } } } });
    expect(policyOf(policy).subject).toEqual({ namespaceSelector: { op: 'all' }, podSelector: { op: 'eq', key: 'a', value: 'b' } });
    expectStoredIsStable(policy);
  });

  it('goes to the admin or baseline tier at its priority, Accept as Allow', () => {
    const rule = {
      action: 'Accept',
      from: [{ namespaces: {} }],
      protocols: [{ tcp: { destinationPort: { number: 80 } } }, { udp: { destinationPort: { range: { start: 1, end: 9 } } } }, { destinationNamedPort: 'dns' }],
    };
    const admin = policyOf(clusterPolicy({ tier: 'Admin', priority: 3, ingress: [rule] }, { name: 'c' }));
    expect(admin).toMatchObject({ id: 'ClusterNetworkPolicy/c', kind: 'ClusterNetworkPolicy', tier: 'adminnetworkpolicy', order: 3, directions: ['ingress'] });
    expect(admin.ingress[0]).toEqual({
      action: 'Allow',
      ports: [
        { protocol: 'TCP', port: 80 },
        { protocol: 'UDP', port: 1, endPort: 9 },
        { protocol: 'TCP', name: 'dns' },
        { protocol: 'UDP', name: 'dns' },
        { protocol: 'SCTP', name: 'dns' },
      ],
      peers: [{ endpoints: { namespaceSelector: { op: 'all' }, podSelector: { op: 'all' } } }],
    });
    expect(policyOf(clusterPolicy({ tier: 'Baseline' })).tier).toBe('baselineadminnetworkpolicy');
  });
});
