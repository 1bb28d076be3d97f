import { describe, expect, it } from 'vitest';
import { LAST_ORDER } from '../../../policy/ir.ts';
import { globalNetworkSet, networkSet, tier } from './factories-calico.ts';
import { expectIssue, expectStoredIsStable, expectValid, networkSetOf, storedOf, tierOf } from './parse-helpers.ts';

describe('Tier', () => {
  it('is named by a DNS label of at most 63 characters', () => {
    expectValid(tier('security', { order: 100 }));
    expectIssue(tier('sec.ops'), ['metadata', 'name'], 'Invalid value: "sec.ops": must not contain dots');
    expectIssue(tier('a'.repeat(64)), ['metadata', 'name'], /must be no more than 63 characters/);
  });

  it('defaults its action to Deny and has no order unless given (last)', () => {
    expect(storedOf(tier('security'))).toEqual({
      apiVersion: 'projectcalico.org/v3',
      kind: 'Tier',
      metadata: { name: 'security' },
      spec: { defaultAction: 'Deny' },
    });
    expect(tierOf(tier('security'))).toEqual({ name: 'security', order: LAST_ORDER, defaultAction: 'Deny' });
    expect(tierOf(tier('security', { order: 50.5, defaultAction: 'Pass' }))).toEqual({ name: 'security', order: 50.5, defaultAction: 'Pass' });
    expectStoredIsStable(tier('security', { order: 1 }));
  });

  it('refuses an unknown default action', () => {
    expectIssue(tier('security', { defaultAction: 'Allow' }), ['spec', 'defaultAction'], 'Unsupported value: "Allow": supported values: "Deny", "Pass"');
  });

  it('keeps the built-in tiers at their fixed orders', () => {
    expectValid(tier('default', { order: 1_000_000 }));
    expectIssue(tier('default', { order: 5 }), ['spec', 'order'], "Invalid value: 5: the default tier's order must be 1000000");
    expectIssue(tier('adminnetworkpolicy'), ['spec', 'order'], "Required value: the adminnetworkpolicy tier's order is 1000");
    expectValid(tier('baselineadminnetworkpolicy', { order: 10_000_000 }));
  });

  it('lets the admin tiers only pass what they do not decide', () => {
    expectIssue(tier('adminnetworkpolicy', { order: 1000, defaultAction: 'Deny' }), ['spec', 'defaultAction'], /passes traffic its policies do not decide/);
    expect(tierOf(tier('adminnetworkpolicy', { order: 1000 })).defaultAction).toBe('Pass');
    expect(tierOf(tier('default', { order: 1_000_000, defaultAction: 'Pass' })).defaultAction).toBe('Pass');
  });
});

describe('NetworkSet and GlobalNetworkSet', () => {
  it('accept CIDRs and bare addresses, host bits cleared in the IR, sorted without repeats', () => {
    const set = networkSetOf(
      networkSet({ nets: ['198.51.100.0/28', '10.0.0.5', '10.1.2.3/16', '10.0.0.5/32', '2001:DB8::/32'] }, { name: 'ext', labels: { role: 'db' } }),
    );
    expect(set).toEqual({
      id: 'NetworkSet/x/ext',
      kind: 'NetworkSet',
      namespace: 'x',
      name: 'ext',
      labels: { role: 'db' },
      nets: ['10.0.0.5/32', '10.1.0.0/16', '198.51.100.0/28', '2001:db8::/32'],
    });
  });

  it('refuse what is not a CIDR or address', () => {
    expectIssue(networkSet({ nets: ['10.0.0.0/33'] }), ['spec', 'nets', 0], /must be a valid CIDR value/);
    expectIssue(globalNetworkSet({ nets: ['host.example'] }), ['spec', 'nets', 0], /must be a valid CIDR value/);
  });

  it("refuse Calico's own namespace label", () => {
    expectIssue(networkSet({}, { labels: { 'projectcalico.org/namespace': 'y' } }), ['metadata', 'labels', 'projectcalico.org/namespace'], /is set by Calico/);
  });

  it('store nets as written and drop an empty list', () => {
    expect(storedOf(globalNetworkSet({ nets: [] }, { name: 'g' }))).toEqual({
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkSet',
      metadata: { name: 'g' },
      spec: {},
    });
    expectStoredIsStable(networkSet({ nets: ['10.0.0.1'] }));
  });

  it('a GlobalNetworkSet is cluster-scoped and global in the IR', () => {
    expectIssue(globalNetworkSet({}, { namespace: 'x' }), ['metadata', 'namespace'], 'Forbidden: not allowed on this type');
    expect(networkSetOf(globalNetworkSet({ nets: ['10.0.0.0/8'] }, { name: 'g' }))).toEqual({
      id: 'GlobalNetworkSet/g',
      kind: 'GlobalNetworkSet',
      namespace: null,
      name: 'g',
      labels: {},
      nets: ['10.0.0.0/8'],
    });
  });
});
