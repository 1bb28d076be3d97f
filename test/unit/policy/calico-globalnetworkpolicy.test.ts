import { describe, expect, it } from 'vitest';
import { globalPolicy } from './factories-calico.ts';
import { expectIssue, expectStoredIsStable, expectValid, policyOf, storedOf } from './parse-helpers.ts';

const ns = 'kubernetes.io/metadata.name';

describe('GlobalNetworkPolicy validation', () => {
  it('is cluster-scoped: a namespace is not allowed', () => {
    expectIssue(globalPolicy({}, { namespace: 'x' }), ['metadata', 'namespace'], 'Forbidden: not allowed on this type');
    expectValid(globalPolicy({}, { namespace: '' }));
  });

  it('follows the tiered name rule', () => {
    expectValid(globalPolicy({ tier: 'platform' }, { name: 'platform.deny' }));
    expectIssue(globalPolicy({ tier: 'platform' }, { name: 'deny' }), ['metadata', 'name'], /must be named "platform.<name>"/);
  });

  it('accepts a namespaceSelector but not global() in it', () => {
    expectValid(globalPolicy({ namespaceSelector: 'env == "prod"' }));
    expectIssue(globalPolicy({ namespaceSelector: 'global()' }), ['spec', 'namespaceSelector'], /global\(\) can only be used in a rule's namespaceSelector/);
  });

  it('checks the host endpoint options as Calico does', () => {
    expectIssue(
      globalPolicy({ doNotTrack: true, preDNAT: true, applyOnForward: true }),
      ['spec', 'preDNAT'],
      'Forbidden: preDNAT and doNotTrack cannot both be true',
    );
    expectIssue(
      globalPolicy({ preDNAT: true, applyOnForward: true, egress: [{ action: 'Allow' }] }),
      ['spec', 'egress'],
      'Forbidden: a preDNAT policy cannot have egress rules',
    );
    expectIssue(
      globalPolicy({ preDNAT: true, applyOnForward: true, types: ['Egress'] }),
      ['spec', 'types'],
      "Forbidden: a preDNAT policy cannot have the 'Egress' type",
    );
    expectIssue(globalPolicy({ doNotTrack: true }), ['spec', 'applyOnForward'], 'Invalid value: false: must be true when doNotTrack or preDNAT is true');
    expectValid(globalPolicy({ doNotTrack: true, applyOnForward: true, ingress: [{ action: 'Deny', source: { nets: ['203.0.113.0/24'] } }] }));
  });
});

describe('GlobalNetworkPolicy defaults and IR', () => {
  it('stores its own fields, the flags only when true', () => {
    const policy = globalPolicy({ namespaceSelector: 'env == "prod"', doNotTrack: false, applyOnForward: false, egress: [{ action: 'Deny' }] }, { name: 'g' });
    expect(storedOf(policy).spec).toEqual({ tier: 'default', types: ['Egress'], egress: [{ action: 'Deny' }], namespaceSelector: 'env == "prod"' });
    expectStoredIsStable(policy);
  });

  it('applies to endpoints of every namespace, or of those its namespaceSelector picks', () => {
    expect(policyOf(globalPolicy({}, { name: 'g' }))).toMatchObject({
      id: 'GlobalNetworkPolicy/g',
      kind: 'GlobalNetworkPolicy',
      namespace: null,
      subject: { namespaceSelector: { op: 'all' }, podSelector: { op: 'all' } },
    });
    expect(policyOf(globalPolicy({ namespaceSelector: 'projectcalico.org/name == "a"', selector: 'app == "x"' })).subject).toEqual({
      namespaceSelector: { op: 'eq', key: ns, value: 'a' },
      podSelector: { op: 'eq', key: 'app', value: 'x' },
    });
  });

  it('lets rule selectors reach every namespace and global network sets', () => {
    const [rule] = policyOf(globalPolicy({ ingress: [{ action: 'Allow', source: { selector: 'app == "x"' } }] })).ingress;
    expect(rule?.peers).toEqual([{ endpoints: { namespaceSelector: { op: 'all' }, podSelector: { op: 'eq', key: 'app', value: 'x' } }, networkSets: true }]);
  });

  it('excludes with a notSelector alone without limiting the remote end to the cluster', () => {
    const [rule] = policyOf(globalPolicy({ ingress: [{ action: 'Deny', source: { notSelector: 'trusted == "yes"' } }] })).ingress;
    expect(rule?.peers).toEqual([]);
    expect(rule?.notPeers).toEqual([
      { endpoints: { namespaceSelector: { op: 'all' }, podSelector: { op: 'eq', key: 'trusted', value: 'yes' } }, networkSets: true },
    ]);
  });

  it('governs no direction when it is for host endpoints only (doNotTrack, preDNAT)', () => {
    const policy = policyOf(globalPolicy({ preDNAT: true, applyOnForward: true, ingress: [{ action: 'Deny' }] }));
    expect(policy.directions).toEqual([]);
    expect(policy.ingress).toEqual([]);
  });
});
