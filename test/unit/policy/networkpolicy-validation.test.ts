import { describe, expect, it } from 'vitest';
import { type PolicyIssue, parsePolicyObject } from '../../../policy/kinds/index.ts';
import { ingressPolicy, type Json, networkPolicy } from './factories.ts';

function issuesOf(object: unknown): PolicyIssue[] {
  const result = parsePolicyObject(object);
  return result.ok ? [] : result.issues;
}

/** The object is refused with exactly this issue among its issues. */
function expectIssue(object: unknown, path: (string | number)[], message: string | RegExp): void {
  const issues = issuesOf(object);
  const atPath = issues.filter((issue) => issue.path.join('.') === path.join('.'));
  expect(
    atPath.map((i) => i.message),
    `issues: ${JSON.stringify(issues)}`,
  ).toContainEqual(typeof message === 'string' ? message : expect.stringMatching(message));
}

describe('a valid NetworkPolicy', () => {
  it('is accepted with every field in use', () => {
    const policy = networkPolicy(
      {
        podSelector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe'] }] },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          {
            from: [
              { podSelector: { matchLabels: { role: 'client' } } },
              { namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'Exists' }] } },
              { podSelector: {}, namespaceSelector: {} },
              { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } },
            ],
            ports: [{ port: 80 }, { protocol: 'UDP', port: 53 }, { protocol: 'SCTP', port: 9000, endPort: 9010 }, { port: 'http' }],
          },
        ],
        egress: [{ to: [{ ipBlock: { cidr: '2001:db8::/32' } }] }],
      },
      { labels: { owner: 'team-a' }, annotations: { 'example.com/Note': 'anything at all' } },
    );
    expect(issuesOf(policy)).toEqual([]);
  });

  it('accepts `kubectl get -o yaml` output, server fields and status included', () => {
    const pasted = networkPolicy(
      {},
      {
        uid: '6f1e0d1c-1111-2222-3333-444455556666',
        resourceVersion: '123456',
        generation: 3,
        creationTimestamp: '2024-01-01T00:00:00Z',
        managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
        selfLink: '/apis/networking.k8s.io/v1/namespaces/x/networkpolicies/p',
        ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: 'abc' }],
        finalizers: ['example.com/keep'],
      },
    );
    const result = parsePolicyObject({ ...pasted, status: {} });
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.object).not.toHaveProperty('status');
      expect(Object.keys((result.object as { metadata: object }).metadata)).toEqual(['name', 'namespace']);
    }
  });

  it('treats null fields as absent, as Go decodes JSON', () => {
    expect(issuesOf(networkPolicy({ ingress: null, egress: [{ to: null, ports: null }] }, { labels: null }))).toEqual([]);
  });
});

describe('metadata', () => {
  it('requires a DNS-1123 subdomain name', () => {
    expectIssue(networkPolicy({}, { name: 'Allow_Web' }), ['metadata', 'name'], /^Invalid value: "Allow_Web": a lowercase RFC 1123 subdomain must consist of/);
    expectIssue(networkPolicy({}, { name: 'a'.repeat(254) }), ['metadata', 'name'], /must be no more than 253 characters$/);
  });

  it('requires a name', () => {
    const { name: _name, ...metadata } = networkPolicy().metadata as Json;
    expectIssue({ ...networkPolicy(), metadata }, ['metadata', 'name'], 'Required value: name or generateName is required');
    expectIssue(networkPolicy({}, { name: '' }), ['metadata', 'name'], 'Required value: name or generateName is required');
  });

  it('requires a DNS-1123 label namespace', () => {
    const { namespace: _namespace, ...metadata } = networkPolicy().metadata as Json;
    expectIssue({ ...networkPolicy(), metadata }, ['metadata', 'namespace'], 'Required value');
    expectIssue(networkPolicy({}, { namespace: 'team.a' }), ['metadata', 'namespace'], 'Invalid value: "team.a": must not contain dots');
  });

  it('checks label keys and values at the label', () => {
    expectIssue(networkPolicy({}, { labels: { 'bad key': 'v' } }), ['metadata', 'labels', 'bad key'], /^Invalid value: "bad key": name part must consist of/);
    expectIssue(
      networkPolicy({}, { labels: { app: 'bad value' } }),
      ['metadata', 'labels', 'app'],
      /^Invalid value: "bad value": a valid label must be an empty string/,
    );
  });

  it('checks annotation keys and their total size', () => {
    expectIssue(networkPolicy({}, { annotations: { 'a/b/c': '' } }), ['metadata', 'annotations', 'a/b/c'], /^Invalid value: "a\/b\/c": a valid label key/);
    const big = { note: 'x'.repeat(256 * 1024) };
    expectIssue(networkPolicy({}, { annotations: big }), ['metadata', 'annotations'], 'Too long: may not be more than 262144 bytes');
  });

  it('refuses fields it does not know, naming them', () => {
    expectIssue(networkPolicy({}, { generateName: 'p-' }), ['metadata', 'generateName'], 'unknown field "generateName"');
  });
});

describe('unknown fields', () => {
  it('are refused at every level with a path that ends with their name', () => {
    expectIssue({ ...networkPolicy(), extra: 1 }, ['extra'], 'unknown field "extra"');
    expectIssue(networkPolicy({ ingres: [] }), ['spec', 'ingres'], 'unknown field "ingres"');
    expectIssue(ingressPolicy({ from: [{ podSelectr: {} }] }), ['spec', 'ingress', 0, 'from', 0, 'podSelectr'], 'unknown field "podSelectr"');
    expectIssue(ingressPolicy({ ports: [{ port: 80, portEnd: 90 }] }), ['spec', 'ingress', 0, 'ports', 0, 'portEnd'], 'unknown field "portEnd"');
    expectIssue(networkPolicy({ podSelector: { matchLabel: {} } }), ['spec', 'podSelector', 'matchLabel'], 'unknown field "matchLabel"');
  });
});

describe('spec', () => {
  it('requires spec', () => {
    const { spec: _spec, ...noSpec } = networkPolicy();
    expectIssue(noSpec, ['spec'], 'Required value');
  });

  it('refuses a wrong type with the expected type named', () => {
    expectIssue(networkPolicy({ ingress: {} }), ['spec', 'ingress'], /expected array/);
  });
});

describe('label selectors', () => {
  const withSelector = (podSelector: Json) => networkPolicy({ podSelector });

  it('require values for In and NotIn', () => {
    expectIssue(
      withSelector({ matchExpressions: [{ key: 'app', operator: 'In', values: [] }] }),
      ['spec', 'podSelector', 'matchExpressions', 0, 'values'],
      "Required value: must be specified when `operator` is 'In' or 'NotIn'",
    );
    expectIssue(
      withSelector({ matchExpressions: [{ key: 'app', operator: 'NotIn' }] }),
      ['spec', 'podSelector', 'matchExpressions', 0, 'values'],
      "Required value: must be specified when `operator` is 'In' or 'NotIn'",
    );
  });

  it('forbid values for Exists and DoesNotExist', () => {
    expectIssue(
      withSelector({ matchExpressions: [{ key: 'app', operator: 'Exists', values: ['x'] }] }),
      ['spec', 'podSelector', 'matchExpressions', 0, 'values'],
      "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
    );
    expect(issuesOf(withSelector({ matchExpressions: [{ key: 'app', operator: 'DoesNotExist', values: [] }] }))).toEqual([]);
  });

  it('refuse an unknown operator', () => {
    expectIssue(
      withSelector({ matchExpressions: [{ key: 'app', operator: 'Equals', values: ['x'] }] }),
      ['spec', 'podSelector', 'matchExpressions', 0, 'operator'],
      'Invalid value: "Equals": not a valid selector operator',
    );
  });

  it('check keys and values as labels', () => {
    expectIssue(
      withSelector({ matchExpressions: [{ key: 'a/b/c', operator: 'Exists' }] }),
      ['spec', 'podSelector', 'matchExpressions', 0, 'key'],
      /^Invalid value: "a\/b\/c": a valid label key/,
    );
    expectIssue(
      withSelector({ matchExpressions: [{ key: 'app', operator: 'In', values: ['ok', 'not ok'] }] }),
      ['spec', 'podSelector', 'matchExpressions', 0, 'values', 1],
      /^Invalid value: "not ok": a valid label must be/,
    );
    expectIssue(
      ingressPolicy({ from: [{ namespaceSelector: { matchLabels: { '-ns': 'y' } } }] }),
      ['spec', 'ingress', 0, 'from', 0, 'namespaceSelector', 'matchLabels', '-ns'],
      /^Invalid value: "-ns": name part must consist/,
    );
  });
});

describe('peers', () => {
  it('must name at least one of podSelector, namespaceSelector, ipBlock', () => {
    expectIssue(ingressPolicy({ from: [{ podSelector: {} }, {}] }), ['spec', 'ingress', 0, 'from', 1], 'Required value: must specify a peer');
  });

  it('may not combine ipBlock with a selector', () => {
    const peer = { podSelector: {}, ipBlock: { cidr: '10.0.0.0/8' } };
    expectIssue(ingressPolicy({ from: [peer] }), ['spec', 'ingress', 0, 'from', 0], 'Forbidden: may not specify both ipBlock and another peer');
    expectIssue(
      networkPolicy({ egress: [{ to: [{ namespaceSelector: {}, ipBlock: { cidr: '10.0.0.0/8' } }] }] }),
      ['spec', 'egress', 0, 'to', 0],
      'Forbidden: may not specify both ipBlock and another peer',
    );
  });
});

describe('ipBlock', () => {
  const block = (ipBlock: Json) => ingressPolicy({ from: [{ podSelector: {} }, { ipBlock }] });
  const at = (...rest: (string | number)[]) => ['spec', 'ingress', 0, 'from', 1, 'ipBlock', ...rest];

  it('requires a cidr', () => {
    expectIssue(block({ cidr: '' }), at('cidr'), 'Required value');
    expectIssue(block({}), at('cidr'), 'Required value');
  });

  it('refuses a malformed or ambiguous cidr with the API server reason', () => {
    expectIssue(block({ cidr: '10.0.0.0' }), at('cidr'), 'Invalid value: "10.0.0.0": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)');
    expectIssue(block({ cidr: '10.0.0.1/8' }), at('cidr'), 'Invalid value: "10.0.0.1/8": must not have bits set beyond the prefix length');
    expectIssue(block({ cidr: '010.0.0.0/8' }), at('cidr'), 'Invalid value: "010.0.0.0/8": must not have leading 0s in IP or prefix length');
  });

  it('refuses a malformed except entry at its index', () => {
    expectIssue(block({ cidr: '10.0.0.0/8', except: ['10.1.0.0/16', 'nope'] }), at('except', 1), /^Invalid value: "nope": must be a valid CIDR value/);
  });

  it('refuses except entries outside the cidr, equal to it, or of the other family', () => {
    const message = (text: string) => `Invalid value: ${JSON.stringify(text)}: must be a strict subset of \`cidr\``;
    expectIssue(block({ cidr: '10.0.0.0/8', except: ['11.0.0.0/16'] }), at('except', 0), message('11.0.0.0/16'));
    expectIssue(block({ cidr: '10.0.0.0/8', except: ['10.0.0.0/8'] }), at('except', 0), message('10.0.0.0/8'));
    expectIssue(block({ cidr: '10.0.0.0/16', except: ['10.0.0.0/8'] }), at('except', 0), message('10.0.0.0/8'));
    expectIssue(block({ cidr: '10.0.0.0/8', except: ['2001:db8::/32'] }), at('except', 0), message('2001:db8::/32'));
    expectIssue(block({ cidr: '0.0.0.0/0', except: ['::/1'] }), at('except', 0), message('::/1'));
  });
});

describe('ports', () => {
  const port = (p: Json) => ingressPolicy({ ports: [p] });
  const at = (field: string) => ['spec', 'ingress', 0, 'ports', 0, field];

  it('refuse a protocol other than TCP, UDP, SCTP', () => {
    expectIssue(port({ protocol: 'ICMP' }), at('protocol'), 'Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"');
    expectIssue(port({ protocol: 'tcp' }), at('protocol'), 'Unsupported value: "tcp": supported values: "TCP", "UDP", "SCTP"');
  });

  it('refuse port numbers outside 1-65535', () => {
    expectIssue(port({ port: 0 }), at('port'), 'Invalid value: 0: must be between 1 and 65535, inclusive');
    expectIssue(port({ port: 65536 }), at('port'), 'Invalid value: 65536: must be between 1 and 65535, inclusive');
  });

  it('refuse a port that is neither an integer nor a name', () => {
    expectIssue(port({ port: 80.5 }), at('port'), 'Invalid value: 80.5: must be an integer port number or a port name');
    expectIssue(port({ port: true }), at('port'), 'Invalid value: true: must be an integer port number or a port name');
  });

  it('refuse a named port that is not an IANA_SVC_NAME', () => {
    expectIssue(port({ port: 'HTTP' }), at('port'), 'Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
    expectIssue(port({ port: '80' }), at('port'), 'Invalid value: "80": must contain at least one letter (a-z)');
    expectIssue(port({ port: 'a-very-long-port-name' }), at('port'), 'Invalid value: "a-very-long-port-name": must be no more than 15 characters');
  });

  it('require endPort >= port', () => {
    expectIssue(port({ port: 80, endPort: 79 }), at('endPort'), 'Invalid value: 79: must be greater than or equal to `port`');
    expect(issuesOf(port({ port: 80, endPort: 80 }))).toEqual([]);
    expectIssue(port({ port: 80, endPort: 70000 }), at('endPort'), 'Invalid value: 70000: must be between 1 and 65535, inclusive');
  });

  it('refuse endPort with a named port or without a port', () => {
    expectIssue(port({ port: 'http', endPort: 90 }), at('endPort'), 'Invalid value: 90: may not be specified when `port` is non-numeric');
    expectIssue(port({ endPort: 90 }), at('endPort'), 'Invalid value: 90: may not be specified when `port` is not specified');
  });
});

describe('policyTypes', () => {
  it('refuse values other than Ingress and Egress', () => {
    expectIssue(
      networkPolicy({ policyTypes: ['Ingress', 'ingress'] }),
      ['spec', 'policyTypes', 1],
      'Unsupported value: "ingress": supported values: "Ingress", "Egress"',
    );
  });

  it('refuse duplicates', () => {
    expectIssue(networkPolicy({ policyTypes: ['Egress', 'Egress'] }), ['spec', 'policyTypes', 1], 'Duplicate value: "Egress"');
  });

  it('refuse more than two entries', () => {
    expectIssue(
      networkPolicy({ policyTypes: ['Ingress', 'Egress', 'Ingress'] }),
      ['spec', 'policyTypes'],
      'Invalid value: ["Ingress","Egress","Ingress"]: may not specify more than two policyTypes',
    );
  });
});

describe('every problem at once', () => {
  it('is reported in one answer, each at its own path', () => {
    const policy = networkPolicy(
      {
        ingress: [{ ports: [{ port: 80, endPort: 79 }], from: [{}] }],
        egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['11.0.0.0/8'] } }] }],
      },
      { name: 'Bad' },
    );
    expect(
      issuesOf(policy)
        .map((i) => i.path.join('.'))
        .sort(),
    ).toEqual(['metadata.name', 'spec.egress.0.to.0.ipBlock.except.0', 'spec.ingress.0.from.0', 'spec.ingress.0.ports.0.endPort']);
  });
});
