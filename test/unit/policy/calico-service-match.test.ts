// Calico rules that match a Kubernetes Service (EntityRule `services`): accepted where Calico accepts
// them, refused with a field path where Calico's validator refuses them (validateEntityRule,
// validateRule, validateNetworkPolicySpec, validateGlobalNetworkPolicySpec), and normalised to a
// service peer: with the endpoints' ports for a destination, addresses alone for a source.
import { describe, expect, it } from 'vitest';
import { irFeaturesOf } from '../../../policy/ir-features.ts';
import { buildPolicySet } from '../../../policy/policy-set.ts';
import { calicoPolicy, globalPolicy, stagedPolicy } from './factories-calico.ts';
import { expectIssue, expectStoredIsStable, expectValid, issuesOf, policyOf, storedOf } from './parse-helpers.ts';

const KUBE_DNS = { name: 'kube-dns', namespace: 'kube-system' };
const egressTo = (destination: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  calicoPolicy({ types: ['Egress'], egress: [{ action: 'Allow', ...extra, destination }] });
const ingressFrom = (source: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  calicoPolicy({ types: ['Ingress'], ingress: [{ action: 'Allow', ...extra, source }] });
const egressPath = (...rest: (string | number)[]) => ['spec', 'egress', 0, ...rest];

describe('Calico `services` accepted as Calico accepts them', () => {
  it('in an egress destination, with or without a namespace, with a protocol', () => {
    expectValid(egressTo({ services: KUBE_DNS }));
    expectValid(egressTo({ services: { name: 'backend' } }));
    expectValid(egressTo({ services: KUBE_DNS }, { protocol: 'UDP' }));
  });

  it('in an ingress source, beside destination ports and source ports', () => {
    expectValid(ingressFrom({ services: { name: 'clients', namespace: 'z' }, ports: [1024] }, { protocol: 'TCP', destination: { ports: [80] } }));
  });

  it('in a GlobalNetworkPolicy and the staged kinds when a namespace is named', () => {
    expectValid(globalPolicy({ egress: [{ action: 'Allow', destination: { services: KUBE_DNS } }] }));
    expectValid(stagedPolicy('StagedGlobalNetworkPolicy', { egress: [{ action: 'Allow', destination: { services: KUBE_DNS } }] }));
    expectValid(stagedPolicy('StagedNetworkPolicy', { egress: [{ action: 'Allow', destination: { services: { name: 'db' } } }] }));
  });

  it('keeps `services` in the stored form, stable on a second parse', () => {
    const object = egressTo({ services: KUBE_DNS });
    const stored = storedOf(object) as { spec: { egress: { destination: unknown }[] } };
    expect(stored.spec.egress[0]?.destination).toEqual({ services: KUBE_DNS });
    expectStoredIsStable(object);
  });
});

describe('Calico `services` refused where Calico refuses it, at the field to change', () => {
  it('without a name (validateEntityRule)', () => {
    expectIssue(
      egressTo({ services: { namespace: 'kube-system' } }),
      egressPath('destination', 'services', 'name'),
      'Required value: must specify a service name',
    );
    expectIssue(egressTo({ services: { name: '' } }), egressPath('destination', 'services', 'name'), 'Required value: must specify a service name');
  });

  it('with a name or namespace that is not a DNS-1123 subdomain', () => {
    expectIssue(
      egressTo({ services: { name: 'Kube_DNS', namespace: 'kube-system' } }),
      egressPath('destination', 'services', 'name'),
      /^Invalid value: "Kube_DNS"/,
    );
    expectIssue(egressTo({ services: { name: 'dns', namespace: 'Kube-System' } }), egressPath('destination', 'services', 'namespace'), /^Invalid value/);
    expectIssue(egressTo({ services: { name: 'dns', port: 53 } }), egressPath('destination', 'services', 'port'), 'unknown field "port"');
  });

  it.each([
    ['selector', "app == 'dns'", 'cannot specify Selector/NotSelector and Services on the same rule'],
    ['notSelector', "app == 'dns'", 'cannot specify Selector/NotSelector and Services on the same rule'],
    ['namespaceSelector', 'all()', 'cannot specify NamespaceSelector and Services on the same rule'],
    ['serviceAccounts', { names: ['dns'] }, 'cannot specify ServiceAccounts and Services on the same rule'],
    ['nets', ['10.0.0.0/8'], 'cannot specify Nets/NotNets and Services on the same rule'],
    ['notNets', ['10.0.0.0/8'], 'cannot specify Nets/NotNets and Services on the same rule'],
  ])('together with %s (validateEntityRule)', (field, value, message) => {
    expectIssue(egressTo({ services: KUBE_DNS, [field]: value }), egressPath('destination', field), `Forbidden: ${message}`);
    expectIssue(ingressFrom({ services: KUBE_DNS, [field]: value }), ['spec', 'ingress', 0, 'source', field], `Forbidden: ${message}`);
  });

  it('with destination ports or notPorts beside a destination service (validateRule)', () => {
    expectIssue(
      egressTo({ services: KUBE_DNS, ports: [53] }, { protocol: 'UDP' }),
      egressPath('destination', 'ports'),
      'Forbidden: cannot specify ports with a service selector',
    );
    expectIssue(
      egressTo({ services: KUBE_DNS, notPorts: [53] }, { protocol: 'UDP' }),
      egressPath('destination', 'notPorts'),
      'Forbidden: cannot specify notports with a service selector',
    );
  });

  it('on the local end: an egress rule source, an ingress rule destination (validateNetworkPolicySpec)', () => {
    const egressSource = calicoPolicy({ egress: [{ action: 'Allow', source: { services: KUBE_DNS } }] });
    expectIssue(egressSource, ['spec', 'egress', 0, 'source', 'services'], 'Forbidden: not allowed in egress rule source');
    const ingressDestination = calicoPolicy({ ingress: [{ action: 'Allow', destination: { services: KUBE_DNS } }] });
    expectIssue(ingressDestination, ['spec', 'ingress', 0, 'destination', 'services'], 'Forbidden: not allowed in ingress rule destination');
    const global = globalPolicy({ ingress: [{ action: 'Allow', destination: { services: KUBE_DNS } }] });
    expectIssue(global, ['spec', 'ingress', 0, 'destination', 'services'], 'Forbidden: not allowed in ingress rule destination');
  });

  it('without a namespace in a global policy, which has none to default to (validateGlobalNetworkPolicySpec)', () => {
    expectIssue(
      globalPolicy({ egress: [{ action: 'Allow', destination: { services: { name: 'kube-dns' } } }] }),
      ['spec', 'egress', 0, 'destination', 'services', 'namespace'],
      'Required value: must specify a namespace',
    );
    expectIssue(
      globalPolicy({ ingress: [{ action: 'Allow', source: { services: { name: 'clients' } } }] }),
      ['spec', 'ingress', 0, 'source', 'services', 'namespace'],
      'Required value: must specify a namespace',
    );
    expectIssue(
      stagedPolicy('StagedGlobalNetworkPolicy', { egress: [{ action: 'Allow', destination: { services: { name: 'kube-dns' } } }] }),
      ['spec', 'egress', 0, 'destination', 'services', 'namespace'],
      'Required value: must specify a namespace',
    );
  });

  it('in a doNotTrack policy, whose rules run at XDP', () => {
    const untracked = globalPolicy({
      doNotTrack: true,
      applyOnForward: true,
      types: ['Ingress'],
      ingress: [{ action: 'Deny', source: { services: KUBE_DNS } }],
    });
    expect(issuesOf(untracked).map((i) => i.path.join('.'))).toContain('spec.ingress.0.source.services');
  });
});

describe('Calico `services` in the IR', () => {
  it('a destination service: the Service in the policy namespace when none is named, with its endpoint ports', () => {
    const policy = policyOf(egressTo({ services: { name: 'backend' } }));
    expect(policy.egress[0]).toEqual({ action: 'Allow', ports: [], peers: [{ service: { namespace: 'x', name: 'backend' }, endpointPorts: true }] });
  });

  it('a destination service keeps the rule protocol as the only port condition', () => {
    const policy = policyOf(egressTo({ services: KUBE_DNS }, { protocol: 'UDP' }));
    expect(policy.egress[0]).toEqual({
      action: 'Allow',
      ports: [{ protocol: 'UDP' }],
      peers: [{ service: { namespace: 'kube-system', name: 'kube-dns' }, endpointPorts: true }],
    });
  });

  it('a source service: the endpoints addresses alone; the rule destination ports stay the rule ports', () => {
    const policy = policyOf(ingressFrom({ services: { name: 'clients', namespace: 'z' } }, { protocol: 'TCP', destination: { ports: [80] } }));
    expect(policy.ingress[0]).toEqual({ action: 'Allow', ports: [{ protocol: 'TCP', port: 80 }], peers: [{ service: { namespace: 'z', name: 'clients' } }] });
  });

  it('a GlobalNetworkPolicy names the Service namespace itself', () => {
    const policy = policyOf(globalPolicy({ egress: [{ action: 'Allow', destination: { services: KUBE_DNS } }] }));
    expect(policy.egress[0]?.peers).toEqual([{ service: { namespace: 'kube-system', name: 'kube-dns' }, endpointPorts: true }]);
  });

  it('is the servicePeers IR feature, so an agent that does not know it refuses the bundle', () => {
    const set = buildPolicySet([policyOf(egressTo({ services: KUBE_DNS }))]);
    expect(irFeaturesOf(set)).toEqual(['servicePeers']);
  });
});
