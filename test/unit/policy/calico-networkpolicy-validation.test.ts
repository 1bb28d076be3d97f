import { describe, expect, it } from 'vitest';
import { calicoIngressRule, calicoPolicy } from './factories-calico.ts';
import { expectIssue, expectValid, issuesOf } from './parse-helpers.ts';

const rule = (extra: Record<string, unknown>) => calicoIngressRule(extra);
const path = (...rest: (string | number)[]) => ['spec', 'ingress', 0, ...rest];

describe('a valid Calico NetworkPolicy', () => {
  it('is accepted with every field in use', () => {
    expectValid(
      calicoPolicy(
        {
          tier: 'default',
          order: 100.5,
          selector: "role == 'database' && !has(legacy)",
          serviceAccountSelector: 'team == "db"',
          types: ['Ingress', 'Egress'],
          performanceHints: ['AssumeNeededOnEveryNode'],
          ingress: [
            {
              action: 'Allow',
              metadata: { annotations: { from: 'frontend' } },
              protocol: 'TCP',
              ipVersion: 4,
              source: {
                selector: "role == 'frontend'",
                namespaceSelector: 'projectcalico.org/name in {"web", "api"}',
                nets: ['10.0.0.0/8', '192.168.1.1'],
                notNets: ['10.1.0.0/16'],
                notSelector: 'has(quarantined)',
                serviceAccounts: { names: ['web'], selector: 'tier == "front"' },
                ports: ['1024:65535'],
              },
              destination: { ports: [6379, '8000:8080', 'redis'], notPorts: [6380] },
            },
            { action: 'Log', protocol: 'ICMP', icmp: { type: 8, code: 0 } },
            { action: 'Pass', protocol: 58, notICMP: { type: 128 } },
            { action: 'Deny', notProtocol: 'UDPLite', destination: { nets: ['2001:db8::/32'] } },
          ],
          egress: [{ action: 'Allow', protocol: 'UDP', destination: { namespaceSelector: 'global()', selector: 'role == "dns"', ports: [53] } }],
        },
        { name: 'allow-db', labels: { owner: 'team-a' } },
      ),
    );
  });

  it('is accepted with no spec at all (every field has a default)', () => {
    const { spec: _spec, ...noSpec } = calicoPolicy();
    expectValid(noSpec);
  });

  it('treats null fields as absent, as Go decodes them', () => {
    expectValid(calicoPolicy({ ingress: null, selector: null, egress: [{ action: 'Allow', source: null }] }));
  });

  it('refuses unknown fields with their path', () => {
    expectIssue(calicoPolicy({ podSelector: {} }), ['spec', 'podSelector'], 'unknown field "podSelector"');
    expectIssue(rule({ destination: { port: 80 } }), path('destination', 'port'), 'unknown field "port"');
  });
});

describe('names and tiers (Calico 3.30)', () => {
  it('names a policy in the default tier plainly or with the prefix "default."', () => {
    expectValid(calicoPolicy({}, { name: 'allow' }));
    expectValid(calicoPolicy({}, { name: 'default.allow' }));
    expectIssue(
      calicoPolicy({}, { name: 'web.allow' }),
      ['metadata', 'name'],
      /a policy in the default tier is named without a dot or with the prefix "default."/,
    );
  });

  it('requires the tier prefix in any other tier', () => {
    expectValid(calicoPolicy({ tier: 'security' }, { name: 'security.allow' }));
    expectIssue(
      calicoPolicy({ tier: 'security' }, { name: 'allow' }),
      ['metadata', 'name'],
      'Invalid value: "allow": a policy in tier "security" must be named "security.<name>" (Calico 3.30)',
    );
    expectIssue(calicoPolicy({ tier: 'security' }, { name: 'security.' }), ['metadata', 'name'], /must be named "security.<name>"/);
  });

  it('requires a DNS subdomain name and a DNS label tier', () => {
    expectIssue(calicoPolicy({}, { name: 'Allow_All' }), ['metadata', 'name'], /a lowercase RFC 1123 subdomain/);
    expectIssue(calicoPolicy({ tier: 'Sec.Ops' }, { name: 'x' }), ['spec', 'tier'], /a lowercase RFC 1123 label/);
  });

  it('keeps Calico policies out of the admin tiers', () => {
    expectIssue(
      calicoPolicy({ tier: 'adminnetworkpolicy' }, { name: 'adminnetworkpolicy.x' }),
      ['spec', 'tier'],
      'Forbidden: tier "adminnetworkpolicy" holds the Kubernetes admin network policy kinds only',
    );
  });
});

describe('spec fields', () => {
  it('reports a malformed selector with its column', () => {
    expectIssue(
      calicoPolicy({ selector: 'app == web' }),
      ['spec', 'selector'],
      'Invalid value: "app == web": column 8: expected a string after "==", found the label key "web"',
    );
    expectIssue(calicoPolicy({ serviceAccountSelector: 'a ==' }), ['spec', 'serviceAccountSelector'], /column 5: expected a string after "=="/);
  });

  it('refuses global() outside a rule namespaceSelector', () => {
    expectIssue(calicoPolicy({ selector: 'global()' }), ['spec', 'selector'], /global\(\) can only be used in a rule's namespaceSelector/);
    expectIssue(rule({ source: { selector: 'global()' } }), path('source', 'selector'), /global\(\) can only be used/);
    expectIssue(rule({ source: { namespaceSelector: 'global() && a == "b"' } }), path('source', 'namespaceSelector'), /cannot be combined/);
  });

  it('refuses a selector longer than 1024 characters', () => {
    const long = `a == "${'x'.repeat(1020)}"`;
    expectIssue(calicoPolicy({ selector: long }), ['spec', 'selector'], /must be no more than 1024 characters$/);
  });

  it('refuses repeated and unknown types', () => {
    expectIssue(calicoPolicy({ types: ['Ingress', 'Ingress'] }), ['spec', 'types', 1], 'Duplicate value: "Ingress"');
    expectIssue(calicoPolicy({ types: ['ingress'] }), ['spec', 'types', 0], 'Unsupported value: "ingress": supported values: "Ingress", "Egress"');
  });

  it('requires a number for order and a known performance hint', () => {
    expectIssue(calicoPolicy({ order: '10' }), ['spec', 'order'], /expected number/);
    expectIssue(calicoPolicy({ performanceHints: ['Fast'] }), ['spec', 'performanceHints', 0], /Unsupported value: "Fast"/);
  });
});

describe('rules', () => {
  it('requires a known action', () => {
    expectIssue(calicoPolicy({ ingress: [{}] }), path('action'), 'Required value');
    expectIssue(rule({ action: 'Accept' }), path('action'), 'Unsupported value: "Accept": supported values: "Allow", "Deny", "Log", "Pass"');
  });

  it('accepts protocols by name or number 1-255 and refuses others', () => {
    for (const protocol of ['TCP', 'UDP', 'ICMP', 'ICMPv6', 'SCTP', 'UDPLite', 1, 47, 255, '47']) expectValid(rule({ protocol }));
    for (const protocol of ['tcp', 'GRE', 0, 256, -1, 6.5, '']) {
      expectIssue(rule({ protocol }), path('protocol'), /must be one of TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or an integer 1-255/);
    }
    expectIssue(rule({ notProtocol: 'igmp' }), path('notProtocol'), /must be one of/);
  });

  it('allows ports only with TCP, UDP or SCTP', () => {
    const message = 'Forbidden: rules that specify ports must set protocol to TCP, UDP or SCTP';
    expectIssue(rule({ destination: { ports: [80] } }), path('destination', 'ports'), message);
    expectIssue(rule({ protocol: 'ICMP', destination: { notPorts: [80] } }), path('destination', 'notPorts'), message);
    expectIssue(rule({ protocol: 'UDPLite', source: { ports: [80] } }), path('source', 'ports'), message);
    expectIssue(rule({ protocol: 47, source: { notPorts: [80] } }), path('source', 'notPorts'), message);
    expectValid(rule({ protocol: 132, destination: { ports: [80] } }));
  });

  it('checks each port: a number, a first:last range or a port name', () => {
    expectValid(rule({ protocol: 'TCP', destination: { ports: [1, 65535, '80', '1:1', '1000:2000', 'http-alt'] } }));
    expectIssue(
      rule({ protocol: 'TCP', destination: { ports: [0] } }),
      path('destination', 'ports', 0),
      'Invalid value: 0: must be between 1 and 65535, inclusive',
    );
    expectIssue(rule({ protocol: 'TCP', destination: { ports: [70000] } }), path('destination', 'ports', 0), /must be between 1 and 65535/);
    expectIssue(
      rule({ protocol: 'TCP', destination: { ports: ['90:80'] } }),
      path('destination', 'ports', 0),
      /the first port of a range must not be greater than the last/,
    );
    expectIssue(rule({ protocol: 'TCP', destination: { ports: ['80:'] } }), path('destination', 'ports', 0), /a port range must be "first:last"/);
    expectIssue(rule({ protocol: 'TCP', destination: { ports: ['0:80'] } }), path('destination', 'ports', 0), /must be between 1 and 65535/);
    expectIssue(rule({ protocol: 'TCP', destination: { ports: ['Web_Port'] } }), path('destination', 'ports', 0), /must contain only alpha-numeric characters/);
    expectIssue(
      rule({ protocol: 'TCP', destination: { ports: [true] } }),
      path('destination', 'ports', 0),
      /must be a port number, a "first:last" range or a port name/,
    );
  });

  it('limits ports to 50 and nets to 256 per field', () => {
    const ports = Array.from({ length: 51 }, (_, i) => i + 1);
    expectIssue(rule({ protocol: 'TCP', destination: { ports } }), path('destination', 'ports'), 'Too many: 51: must have at most 50 items');
    const nets = Array.from({ length: 257 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
    expectIssue(rule({ source: { nets } }), path('source', 'nets'), 'Too many: 257: must have at most 256 items');
  });

  it('allows ICMP fields only with protocol ICMP or ICMPv6, a code only with a type, in range', () => {
    expectIssue(rule({ protocol: 'TCP', icmp: { type: 8 } }), path('icmp'), 'Forbidden: rules that specify ICMP fields must set protocol to ICMP or ICMPv6');
    expectIssue(rule({ icmp: { type: 8 } }), path('icmp'), /must set protocol to ICMP or ICMPv6/);
    expectIssue(rule({ protocol: 'ICMP', icmp: { code: 0 } }), path('icmp', 'code'), 'Forbidden: may not be specified without `type`');
    expectIssue(rule({ protocol: 'ICMP', icmp: { type: 255 } }), path('icmp', 'type'), 'Invalid value: 255: must be between 0 and 254, inclusive');
    expectIssue(rule({ protocol: 'ICMP', icmp: { type: 3, code: 256 } }), path('icmp', 'code'), 'Invalid value: 256: must be between 0 and 255, inclusive');
    expectValid(rule({ notICMP: { type: 8 } }));
  });

  it('keeps ipVersion consistent with ICMP protocols and with the CIDRs', () => {
    expectIssue(rule({ protocol: 'ICMP', ipVersion: 6 }), path('ipVersion'), 'Invalid value: 6: must be 4 with protocol ICMP');
    expectIssue(rule({ notProtocol: 'ICMPv6', ipVersion: 4 }), path('ipVersion'), 'Invalid value: 4: must be 6 with notProtocol ICMPv6');
    expectIssue(rule({ ipVersion: 5 }), path('ipVersion'), 'Unsupported value: 5: supported values: 4, 6');
    expectIssue(rule({ ipVersion: 6, source: { nets: ['10.0.0.0/8'] } }), path('source', 'nets'), /rule IP version doesn't match CIDR version/);
  });

  it('refuses a rule mixing IPv4 and IPv6 CIDRs, within a field or across fields', () => {
    expectIssue(rule({ source: { nets: ['10.0.0.0/8', '2001:db8::/32'] } }), path('source', 'nets'), /rule contains both IPv4 and IPv6 CIDRs/);
    expectIssue(rule({ source: { nets: ['10.0.0.0/8'] }, destination: { notNets: ['2001:db8::/32'] } }), path('destination', 'notNets'), /both IPv4 and IPv6/);
  });

  it('reads nets as Calico does: a bare address is a host, host bits are cleared (with a warning, see calico-net-warnings)', () => {
    expectValid(rule({ source: { nets: ['10.0.0.1', '10.0.0.0/8'] } }));
    expectValid(rule({ destination: { nets: ['::1', '2001:db8::/32'] } }));
    expectValid(rule({ source: { nets: ['10.0.0.1/8'] } }));
    expectValid(rule({ destination: { notNets: ['2001:db8::1/32'] } }));
    expectIssue(rule({ source: { notNets: ['010.0.0.0/8'] } }), path('source', 'notNets', 0), /must not have leading 0s/);
    expectIssue(rule({ source: { nets: ['example.com'] } }), path('source', 'nets', 0), /must be a valid CIDR value/);
  });

  it('refuses what the agent cannot enforce: HTTP matches (Service matches: calico-service-match.test.ts)', () => {
    expectIssue(rule({ protocol: 'TCP', http: { methods: ['GET'] } }), path('http'), 'Forbidden: application layer policy (HTTP matches) is not supported');
  });

  it('reports several problems of one rule at once', () => {
    const issues = issuesOf(rule({ protocol: 'UDP', icmp: { type: 1 }, destination: { ports: ['x_y'] } }));
    expect(issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['spec.ingress.0.icmp', 'spec.ingress.0.destination.ports.0']));
  });
});
