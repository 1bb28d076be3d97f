import { describe, expect, it } from 'vitest';
import { stagedPolicy } from './factories-calico.ts';
import { expectIssue, expectStoredIsStable, expectValid, policyOf, storedOf } from './parse-helpers.ts';

describe('StagedNetworkPolicy', () => {
  it('is validated as the NetworkPolicy it stages, tier name rule included', () => {
    expectIssue(stagedPolicy('StagedNetworkPolicy', { selector: 'a =' }), ['spec', 'selector'], /column 3: expected "=="/);
    expectIssue(stagedPolicy('StagedNetworkPolicy', { tier: 't' }, { name: 'p' }), ['metadata', 'name'], /must be named "t.<name>"/);
    expectIssue(
      stagedPolicy('StagedNetworkPolicy', { stagedAction: 'Learn' }),
      ['spec', 'stagedAction'],
      'Unsupported value: "Learn": supported values: "Set", "Delete"',
    );
  });

  it('defaults stagedAction to Set and stands in for the enforced policy of its name', () => {
    const object = stagedPolicy('StagedNetworkPolicy', { selector: 'app == "a"', ingress: [{ action: 'Deny' }] }, { name: 'p' });
    expect(storedOf(object).spec).toMatchObject({ stagedAction: 'Set', tier: 'default', types: ['Ingress'] });
    expect(policyOf(object)).toMatchObject({
      id: 'StagedNetworkPolicy/x/p',
      kind: 'StagedNetworkPolicy',
      staged: true,
      stagedTarget: 'CalicoNetworkPolicy/x/p',
      directions: ['ingress'],
      ingress: [{ action: 'Deny', ports: [], peers: [] }],
    });
    expectStoredIsStable(object);
  });

  it('models Delete as a staged policy that governs nothing and names its target', () => {
    const object = stagedPolicy('StagedNetworkPolicy', { stagedAction: 'Delete', tier: 't' }, { name: 't.p' });
    expect(storedOf(object).spec).toEqual({ stagedAction: 'Delete', tier: 't' });
    expect(policyOf(object)).toMatchObject({ staged: true, tier: 't', stagedTarget: 'CalicoNetworkPolicy/x/t.p', directions: [], ingress: [], egress: [] });
    expectStoredIsStable(object);
  });

  it('refuses a Delete that sets other spec fields', () => {
    const object = stagedPolicy('StagedNetworkPolicy', { stagedAction: 'Delete', selector: 'a == "b"', ingress: [{ action: 'Allow' }], types: [] });
    expectIssue(object, ['spec', 'selector'], 'Forbidden: must be empty when stagedAction is Delete');
    expectIssue(object, ['spec', 'ingress'], 'Forbidden: must be empty when stagedAction is Delete');
  });
});

describe('StagedGlobalNetworkPolicy', () => {
  it('stands in for the GlobalNetworkPolicy of its name', () => {
    expect(policyOf(stagedPolicy('StagedGlobalNetworkPolicy', { egress: [{ action: 'Allow' }] }, { name: 'g' }))).toMatchObject({
      id: 'StagedGlobalNetworkPolicy/g',
      namespace: null,
      staged: true,
      stagedTarget: 'GlobalNetworkPolicy/g',
      directions: ['egress'],
    });
  });

  it('checks host endpoint options only when it stages a policy', () => {
    expectIssue(stagedPolicy('StagedGlobalNetworkPolicy', { doNotTrack: true }), ['spec', 'applyOnForward'], /must be true/);
    expectIssue(
      stagedPolicy('StagedGlobalNetworkPolicy', { stagedAction: 'Delete', doNotTrack: true }),
      ['spec', 'doNotTrack'],
      /must be empty when stagedAction is Delete/,
    );
    expect(policyOf(stagedPolicy('StagedGlobalNetworkPolicy', { stagedAction: 'Delete' }, { name: 'g' }))).toMatchObject({
      stagedTarget: 'GlobalNetworkPolicy/g',
      directions: [],
    });
  });
});

describe('StagedKubernetesNetworkPolicy', () => {
  it('is validated as a Kubernetes NetworkPolicy', () => {
    expectIssue(
      stagedPolicy('StagedKubernetesNetworkPolicy', { podSelector: {}, ingress: [{ ports: [{ port: 0 }] }] }),
      ['spec', 'ingress', 0, 'ports', 0, 'port'],
      /must be between 1 and 65535/,
    );
  });

  it('is stored with the NetworkPolicy defaults and stagedAction Set', () => {
    const object = stagedPolicy('StagedKubernetesNetworkPolicy', { podSelector: { matchLabels: { a: 'b' } }, egress: [{ ports: [{ port: 53 }] }] });
    expect(storedOf(object).spec).toEqual({
      podSelector: { matchLabels: { a: 'b' } },
      egress: [{ ports: [{ protocol: 'TCP', port: 53 }] }],
      policyTypes: ['Ingress', 'Egress'],
      stagedAction: 'Set',
    });
    expectStoredIsStable(object);
  });

  it('sits where its NetworkPolicy would, staged, standing in for it', () => {
    expect(policyOf(stagedPolicy('StagedKubernetesNetworkPolicy', { podSelector: {}, ingress: [{}] }, { name: 'k' }))).toMatchObject({
      id: 'StagedKubernetesNetworkPolicy/x/k',
      kind: 'StagedKubernetesNetworkPolicy',
      order: 1000,
      staged: true,
      stagedTarget: 'NetworkPolicy/x/k',
      ingress: [{ action: 'Allow', ports: [], peers: [] }],
    });
  });

  it('models Delete with an otherwise empty spec', () => {
    expectValid(stagedPolicy('StagedKubernetesNetworkPolicy', { stagedAction: 'Delete' }));
    expectValid(stagedPolicy('StagedKubernetesNetworkPolicy', { stagedAction: 'Delete', podSelector: {} }));
    // A nil pointer in Go serialises as null: as empty as an omitted field.
    expectValid(stagedPolicy('StagedKubernetesNetworkPolicy', { stagedAction: 'Delete', podSelector: null }));
    expectIssue(
      stagedPolicy('StagedKubernetesNetworkPolicy', { stagedAction: 'Delete', podSelector: { matchLabels: { a: 'b' } } }),
      ['spec', 'podSelector'],
      /must be empty when stagedAction is Delete/,
    );
    expect(policyOf(stagedPolicy('StagedKubernetesNetworkPolicy', { stagedAction: 'Delete' }, { name: 'k' }))).toMatchObject({
      stagedTarget: 'NetworkPolicy/x/k',
      directions: [],
    });
  });
});
