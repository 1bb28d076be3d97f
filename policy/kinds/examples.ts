// One example object per accepted kind, as a user writes it. The API reference shows them and the
// README lists them; a unit test parses every one, so the documentation cannot drift from the schemas.

const CALICO = 'projectcalico.org/v3';
const POLICY_API = 'policy.networking.k8s.io';

export const KIND_EXAMPLES: readonly Record<string, unknown>[] = [
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'allow-frontend', namespace: 'shop' },
    spec: {
      podSelector: { matchLabels: { app: 'backend' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }], ports: [{ port: 8080 }] }],
    },
  },
  {
    apiVersion: `${POLICY_API}/v1alpha1`,
    kind: 'AdminNetworkPolicy',
    metadata: { name: 'isolate-sensitive' },
    spec: {
      priority: 10,
      subject: { namespaces: { matchLabels: { sensitive: 'true' } } },
      ingress: [
        { name: 'monitoring', action: 'Pass', from: [{ namespaces: { matchLabels: { team: 'monitoring' } } }] },
        { name: 'everyone-else', action: 'Deny', from: [{ namespaces: {} }] },
      ],
    },
  },
  {
    apiVersion: `${POLICY_API}/v1alpha1`,
    kind: 'BaselineAdminNetworkPolicy',
    metadata: { name: 'default' },
    spec: { subject: { namespaces: {} }, ingress: [{ name: 'default-deny', action: 'Deny', from: [{ namespaces: {} }] }] },
  },
  {
    apiVersion: `${POLICY_API}/v1alpha2`,
    kind: 'ClusterNetworkPolicy',
    metadata: { name: 'allow-dns' },
    spec: {
      tier: 'Admin',
      priority: 5,
      subject: { namespaces: {} },
      egress: [
        {
          name: 'dns',
          action: 'Accept',
          to: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }],
          protocols: [{ udp: { destinationPort: { number: 53 } } }],
        },
      ],
    },
  },
  { apiVersion: CALICO, kind: 'Tier', metadata: { name: 'security' }, spec: { order: 100, defaultAction: 'Pass' } },
  {
    apiVersion: CALICO,
    kind: 'NetworkPolicy',
    metadata: { name: 'security.quarantine', namespace: 'shop' },
    spec: {
      tier: 'security',
      order: 10,
      selector: "quarantine == 'true'",
      types: ['Ingress', 'Egress'],
      ingress: [{ action: 'Deny' }],
      egress: [{ action: 'Deny' }],
    },
  },
  {
    apiVersion: CALICO,
    kind: 'GlobalNetworkPolicy',
    metadata: { name: 'deny-blocklisted' },
    spec: {
      order: 1,
      selector: 'all()',
      types: ['Egress'],
      egress: [{ action: 'Deny', destination: { selector: "role == 'blocklist'" } }, { action: 'Pass' }],
    },
  },
  {
    apiVersion: CALICO,
    kind: 'NetworkSet',
    metadata: { name: 'partners', namespace: 'shop', labels: { role: 'partner' } },
    spec: { nets: ['203.0.113.0/24'] },
  },
  {
    apiVersion: CALICO,
    kind: 'GlobalNetworkSet',
    metadata: { name: 'blocklist', labels: { role: 'blocklist' } },
    spec: { nets: ['192.0.2.0/24', '2001:db8::/32'] },
  },
  {
    apiVersion: CALICO,
    kind: 'HostEndpoint',
    metadata: { name: 'node-1-eth0', labels: { role: 'ingress-node' } },
    spec: { node: 'node-1', interfaceName: 'eth0', expectedIPs: ['192.0.2.10'] },
  },
  {
    apiVersion: CALICO,
    kind: 'StagedNetworkPolicy',
    metadata: { name: 'deny-all', namespace: 'shop' },
    spec: { stagedAction: 'Set', selector: 'all()', types: ['Ingress'] },
  },
  {
    apiVersion: CALICO,
    kind: 'StagedGlobalNetworkPolicy',
    metadata: { name: 'egress-lockdown' },
    spec: {
      stagedAction: 'Set',
      selector: 'all()',
      types: ['Egress'],
      egress: [{ action: 'Allow', destination: { services: { name: 'kube-dns', namespace: 'kube-system' } } }],
    },
  },
  {
    apiVersion: CALICO,
    kind: 'StagedKubernetesNetworkPolicy',
    metadata: { name: 'default-deny', namespace: 'shop' },
    spec: { stagedAction: 'Set', podSelector: {}, policyTypes: ['Ingress'] },
  },
  {
    apiVersion: 'policy.palisade.dev/v1alpha1',
    kind: 'BandwidthPolicy',
    metadata: { name: 'batch-egress', namespace: 'shop' },
    spec: { podSelector: { matchLabels: { app: 'batch' } }, scope: 'Namespace', egress: { rate: '200M' }, ingress: { rate: '500M', burst: '16Mi' } },
  },
];
