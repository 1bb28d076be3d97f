// Calico's automatic labels where endpoint selectors are evaluated: a GlobalNetworkPolicy written
// with projectcalico.org/namespace, /orchestrator or /serviceaccount selects the pods Calico would,
// service-account selectors see projectcalico.org/name, and a namespaced NetworkSet carries its
// namespace. Checked through the reference evaluator (reachable), which resolves as the agent does.
import { describe, expect, it } from 'vitest';
import { reachable } from '../../../policy/evaluation/reachable.ts';
import { policySetFromObjects } from '../../../policy/policy-set-from-objects.ts';
import { globalNetworkSet, globalPolicy, networkSet } from '../../unit/policy/factories-calico.ts';
import { inventory, pod } from './factories.ts';

const pods = inventory([
  pod('prod/api', { labels: { app: 'api' }, ipv4: ['198.18.50.1'], serviceAccount: { name: 'api', labels: { team: 'core' } } }),
  pod('prod/web', { labels: { app: 'web' }, ipv4: ['198.18.50.2'], serviceAccount: { name: 'default', labels: {} } }),
  pod('dev/api', { labels: { app: 'api' }, ipv4: ['198.18.50.3'] }),
]);

const allowed = (objects: unknown[], from: string, to: string) => reachable(pods, policySetFromObjects(objects), from, to, 80, 'TCP').allowed;

const denyIngressTo = (selector: string) => globalPolicy({ selector, types: ['Ingress'], ingress: [{ action: 'Deny' }] });

describe('automatic endpoint labels', () => {
  it('projectcalico.org/namespace selects the pods of that namespace', () => {
    const policy = denyIngressTo("projectcalico.org/namespace == 'prod'");
    expect(allowed([policy], 'dev/api', 'prod/api')).toBe(false);
    expect(allowed([policy], 'dev/api', 'prod/web')).toBe(false);
    expect(allowed([policy], 'prod/api', 'dev/api')).toBe(true);
  });

  it("projectcalico.org/orchestrator is 'k8s' on every pod", () => {
    const policy = denyIngressTo("projectcalico.org/orchestrator == 'k8s'");
    expect(allowed([policy], 'prod/api', 'dev/api')).toBe(false);
    expect(allowed([policy], 'dev/api', 'prod/web')).toBe(false);
  });

  it('projectcalico.org/serviceaccount names the pod service account; a pod whose account is unknown lacks it', () => {
    const policy = denyIngressTo("projectcalico.org/serviceaccount == 'api'");
    expect(allowed([policy], 'dev/api', 'prod/api')).toBe(false);
    expect(allowed([policy], 'prod/api', 'prod/web')).toBe(true);
    expect(allowed([policy], 'prod/api', 'dev/api')).toBe(true);
  });

  it('a rule selector sees them too (source selector in a global policy)', () => {
    const policy = globalPolicy({
      selector: 'all()',
      types: ['Ingress'],
      ingress: [{ action: 'Deny', source: { selector: "projectcalico.org/namespace == 'dev'" } }, { action: 'Allow' }],
    });
    expect(allowed([policy], 'dev/api', 'prod/api')).toBe(false);
    expect(allowed([policy], 'prod/web', 'prod/api')).toBe(true);
  });

  it('the automatic labels win over a same-named label the pod carries', () => {
    const spoofing = inventory([
      pod('prod/api', { ipv4: ['198.18.51.1'] }),
      pod('dev/spoof', { labels: { 'projectcalico.org/namespace': 'prod' }, ipv4: ['198.18.51.2'] }),
    ]);
    const set = policySetFromObjects([denyIngressTo("projectcalico.org/namespace == 'prod'")]);
    expect(reachable(spoofing, set, 'prod/api', 'dev/spoof', 80, 'TCP').allowed).toBe(true);
    expect(reachable(spoofing, set, 'dev/spoof', 'prod/api', 80, 'TCP').allowed).toBe(false);
  });
});

describe('service-account selectors', () => {
  it('match the account labels plus projectcalico.org/name', () => {
    const byName = globalPolicy({ serviceAccountSelector: "projectcalico.org/name == 'api'", types: ['Ingress'], ingress: [{ action: 'Deny' }] });
    expect(allowed([byName], 'prod/web', 'prod/api')).toBe(false);
    expect(allowed([byName], 'prod/api', 'prod/web')).toBe(true);
    const byLabel = globalPolicy({
      selector: 'all()',
      types: ['Ingress'],
      ingress: [{ action: 'Deny', source: { serviceAccounts: { selector: "team == 'core'" } } }, { action: 'Allow' }],
    });
    expect(allowed([byLabel], 'prod/api', 'prod/web')).toBe(false);
    expect(allowed([byLabel], 'dev/api', 'prod/web')).toBe(true);
  });
});

describe('network sets', () => {
  const outside = inventory([pod('prod/api', { ipv4: ['198.18.52.1'] }), pod('dev/api', { ipv4: ['198.18.52.2'] })]);
  const egressDenyTo = (selector: string) =>
    globalPolicy({ selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny', destination: { selector } }, { action: 'Allow' }] });

  it('a namespaced set carries projectcalico.org/namespace; a global set does not', () => {
    const namespaced = networkSet({ nets: ['198.18.52.2/32'] }, { namespace: 'dev', labels: { role: 'db' } });
    const global = globalNetworkSet({ nets: ['198.18.52.1/32'] }, { labels: { role: 'db' } });
    const set = policySetFromObjects([namespaced, global, egressDenyTo("role == 'db' && projectcalico.org/namespace == 'dev'")]);
    expect(reachable(outside, set, 'prod/api', 'dev/api', 80, 'TCP').allowed).toBe(false);
    expect(reachable(outside, set, 'dev/api', 'prod/api', 80, 'TCP').allowed).toBe(true);
  });
});
