import { describe, expect, it } from 'vitest';
import { globalPolicy } from './factories-calico.ts';
import { expectIssue, expectValid, policyOf } from './parse-helpers.ts';

const untracked = (spec: Record<string, unknown>) => globalPolicy({ doNotTrack: true, applyOnForward: true, selector: "role == 'edge'", ...spec });

describe('GlobalNetworkPolicy with doNotTrack (enforced at XDP)', () => {
  it('accepts Deny rules on source nets, source selectors, protocol and destination port numbers', () => {
    expectValid(
      untracked({
        ingress: [
          { action: 'Deny', source: { nets: ['203.0.113.0/24'] } },
          { action: 'Deny', protocol: 'UDP', source: { selector: "role == 'blocklist'" }, destination: { ports: [53, '8000:8080'] } },
          { action: 'Deny', ipVersion: 6, source: { nets: ['2001:db8::/32'] } },
        ],
      }),
    );
  });

  it('refuses what XDP does not enforce, at its field path', () => {
    expectIssue(
      untracked({ ingress: [{ action: 'Allow' }] }),
      ['spec', 'ingress', 0, 'action'],
      /Unsupported value: "Allow": supported values: "Deny" \(doNotTrack rules are enforced at XDP/,
    );
    expectIssue(untracked({ egress: [{ action: 'Deny' }] }), ['spec', 'egress'], /egress rules are not supported/);
    expectIssue(untracked({ types: ['Ingress', 'Egress'] }), ['spec', 'types'], /the 'Egress' type is not supported/);
    expectIssue(
      untracked({ ingress: [{ action: 'Deny', source: { notNets: ['10.0.0.0/8'] } }] }),
      ['spec', 'ingress', 0, 'source', 'notNets'],
      /source.notNets is not supported/,
    );
    expectIssue(
      untracked({ ingress: [{ action: 'Deny', destination: { nets: ['10.0.0.0/8'] } }] }),
      ['spec', 'ingress', 0, 'destination', 'nets'],
      /destination.nets/,
    );
    expectIssue(untracked({ ingress: [{ action: 'Deny', protocol: 'ICMP', icmp: { type: 8 } }] }), ['spec', 'ingress', 0, 'icmp'], /icmp is not supported/);
    expectIssue(
      untracked({ ingress: [{ action: 'Deny', protocol: 'TCP', destination: { ports: ['http'] } }] }),
      ['spec', 'ingress', 0, 'destination', 'ports', 0],
      /named ports are not supported/,
    );
    expectIssue(untracked({ namespaceSelector: "env == 'prod'" }), ['spec', 'namespaceSelector'], /host endpoints, which have no namespace/);
  });

  it('leaves a policy without doNotTrack as it was (Allow and egress rules are fine there)', () => {
    expectValid(globalPolicy({ ingress: [{ action: 'Allow', source: { notNets: ['10.0.0.0/8'] } }], egress: [{ action: 'Deny' }] }));
  });

  it('selects host endpoints, not pods: its rules are untracked ingress rules and it governs no pod direction', () => {
    const policy = policyOf(untracked({ ingress: [{ action: 'Deny', protocol: 'UDP', source: { nets: ['203.0.113.7/24'] }, destination: { ports: [9] } }] }));
    expect(policy.directions).toEqual([]);
    expect(policy.ingress).toEqual([]);
    expect(policy.untracked).toEqual({
      hostEndpoints: { op: 'eq', key: 'role', value: 'edge' },
      ingress: [{ action: 'Deny', ports: [{ protocol: 'UDP', port: 9 }], peers: [{ ipBlock: { cidr: '203.0.113.0/24', except: [] } }] }],
    });
  });
});
