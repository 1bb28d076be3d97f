// Valid objects that use the fields the documented examples (policy/kinds/examples.ts) leave out, so
// mutations reach ports, ipBlocks, ICMP, service accounts, staged deletes and the like. The property
// suite checks that each one parses before mutating it.
const CALICO = 'projectcalico.org/v3';
const POLICY_API = 'policy.networking.k8s.io';
const metadata = { labels: { app: 'shop', 'example.com/tier': 'web' }, annotations: { note: 'naïve 名前 \u{1F600}' } };

export const RICH_SEEDS: readonly Record<string, unknown>[] = [
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'rich', namespace: 'shop', ...metadata },
    spec: {
      podSelector: {
        matchExpressions: [
          { key: 'app', operator: 'In', values: ['web', 'api'] },
          { key: 'canary', operator: 'DoesNotExist' },
        ],
      },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          from: [
            { namespaceSelector: { matchLabels: { team: 'a' } }, podSelector: { matchExpressions: [{ key: 'role', operator: 'NotIn', values: ['db'] }] } },
            { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } },
          ],
          ports: [{ protocol: 'TCP', port: 8000, endPort: 8080 }, { protocol: 'UDP', port: 'dns' }, { protocol: 'SCTP' }],
        },
      ],
      egress: [{ to: [{ ipBlock: { cidr: '2001:db8::/32' } }], ports: [{ port: 443 }] }, {}],
    },
  },
  {
    apiVersion: `${POLICY_API}/v1alpha1`,
    kind: 'AdminNetworkPolicy',
    metadata: { name: 'rich', ...metadata },
    spec: {
      priority: 50,
      subject: { pods: { namespaceSelector: { matchLabels: { env: 'prod' } }, podSelector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] } } },
      ingress: [
        {
          name: 'web',
          action: 'Allow',
          from: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'lb' } } } }],
          ports: [{ portNumber: { protocol: 'TCP', port: 80 } }, { portRange: { protocol: 'UDP', start: 1000, end: 2000 } }, { namedPort: 'http' }],
        },
      ],
      egress: [{ name: 'out', action: 'Deny', to: [{ networks: ['192.0.2.0/24', '2001:db8::/48'] }, { nodes: { matchLabels: { role: 'infra' } } }] }],
    },
  },
  {
    apiVersion: `${POLICY_API}/v1alpha2`,
    kind: 'ClusterNetworkPolicy',
    metadata: { name: 'rich', ...metadata },
    spec: {
      tier: 'Baseline',
      priority: 7,
      subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } } },
      ingress: [
        {
          name: 'in',
          action: 'Pass',
          from: [{ namespaces: {} }],
          protocols: [
            { tcp: { destinationPort: { range: { start: 80, end: 90 } } } },
            { sctp: { destinationPort: { number: 9 } } },
            { destinationNamedPort: 'metrics' },
          ],
        },
      ],
      egress: [{ name: 'out', action: 'Deny', to: [{ networks: ['10.0.0.0/8'] }] }],
    },
  },
  {
    apiVersion: CALICO,
    kind: 'NetworkPolicy',
    metadata: { name: 'rich', namespace: 'shop', ...metadata },
    spec: {
      order: 12.5,
      selector: "app in {'web', 'api'} && !has(canary)",
      serviceAccountSelector: "role == 'frontend'",
      types: ['Ingress', 'Egress'],
      ingress: [
        {
          action: 'Allow',
          protocol: 'TCP',
          source: { selector: "app starts with 'lb'", namespaceSelector: 'global()', nets: ['10.0.0.0/8'], notNets: ['10.1.0.0/16'], notPorts: [22] },
          destination: { ports: [80, '8000:8080', 'http'] },
        },
        { action: 'Allow', protocol: 'ICMP', icmp: { type: 8, code: 0 }, ipVersion: 4 },
        { action: 'Log', notProtocol: 'UDP', source: { serviceAccounts: { names: ['api'], selector: "team == 'a'" } } },
        { action: 'Deny', protocol: 58, metadata: { annotations: { why: 'ipv6 icmp' } } },
      ],
      egress: [{ action: 'Pass', destination: { notSelector: 'has(internal)', nets: ['2001:db8::1'] } }],
    },
  },
  {
    apiVersion: CALICO,
    kind: 'GlobalNetworkPolicy',
    metadata: { name: 'security.rich', ...metadata },
    spec: {
      tier: 'security',
      order: 3,
      selector: 'all()',
      namespaceSelector: "projectcalico.org/name == 'shop'",
      types: ['Ingress'],
      ingress: [{ action: 'Deny', protocol: 'UDP', destination: { ports: ['53'] } }],
    },
  },
  {
    apiVersion: CALICO,
    kind: 'StagedNetworkPolicy',
    metadata: { name: 'rich', namespace: 'shop', ...metadata },
    spec: { stagedAction: 'Delete' },
  },
  {
    apiVersion: CALICO,
    kind: 'StagedKubernetesNetworkPolicy',
    metadata: { name: 'rich', namespace: 'shop', ...metadata },
    spec: {
      stagedAction: 'Set',
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.0.0/16'] } }], ports: [{ protocol: 'TCP', port: 443 }] }],
    },
  },
  { apiVersion: CALICO, kind: 'Tier', metadata: { name: 'rich', ...metadata }, spec: { order: 0.5, defaultAction: 'Deny' } },
  {
    apiVersion: CALICO,
    kind: 'NetworkSet',
    metadata: { name: 'rich', namespace: 'shop', ...metadata },
    spec: { nets: ['198.51.100.7', '2001:db8::/64', '10.0.0.1/8'] },
  },
  {
    apiVersion: 'policy.palisade.dev/v1alpha1',
    kind: 'BandwidthPolicy',
    metadata: { name: 'rich', namespace: 'shop', ...metadata },
    spec: { podSelector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, scope: 'Pod', egress: { rate: '1.5G', burst: '1Mi' } },
  },
];
