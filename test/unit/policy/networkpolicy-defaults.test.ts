import { describe, expect, it } from 'vitest';
import { parsePolicyObject } from '../../../policy/kinds/index.ts';
import type { DefaultedNetworkPolicy } from '../../../policy/kinds/kubernetes-networkpolicy/index.ts';
import { type Json, networkPolicy } from './factories.ts';

function stored(object: Json): DefaultedNetworkPolicy {
  const result = parsePolicyObject(object);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.object as DefaultedNetworkPolicy;
}

describe('policyTypes defaulting (SetDefaults_NetworkPolicy)', () => {
  it.each<[string, Json, string[]]>([
    ['no rules at all', {}, ['Ingress']],
    ['ingress rules only', { ingress: [{}] }, ['Ingress']],
    ['egress rules', { egress: [{}] }, ['Ingress', 'Egress']],
    ['ingress and egress rules', { ingress: [{}], egress: [{ ports: [{ port: 53 }] }] }, ['Ingress', 'Egress']],
    ['an empty egress list, which Go sees as absent', { egress: [] }, ['Ingress']],
    ['an empty policyTypes list, defaulted as if absent', { policyTypes: [], egress: [{}] }, ['Ingress', 'Egress']],
    ['explicit Egress only, kept as written', { policyTypes: ['Egress'], ingress: [{}] }, ['Egress']],
    ['explicit types in any order, kept as written', { policyTypes: ['Egress', 'Ingress'] }, ['Egress', 'Ingress']],
  ])('%s gives %j', (_case, spec, expected) => {
    expect(stored(networkPolicy(spec)).spec.policyTypes).toEqual(expected);
  });
});

describe('port defaulting (SetDefaults_NetworkPolicyPort)', () => {
  it('sets protocol TCP where absent and keeps a given one', () => {
    const policy = stored(networkPolicy({ ingress: [{ ports: [{ port: 80 }, { protocol: 'UDP', port: 53 }, {}] }] }));
    expect(policy.spec.ingress?.[0]?.ports).toEqual([{ protocol: 'TCP', port: 80 }, { protocol: 'UDP', port: 53 }, { protocol: 'TCP' }]);
  });

  it('defaults egress ports too', () => {
    const policy = stored(
      networkPolicy({
        egress: [
          {
            ports: [
              { port: 'dns', protocol: 'UDP' },
              { port: 443, endPort: 444 },
            ],
          },
        ],
      }),
    );
    expect(policy.spec.egress?.[0]?.ports).toEqual([
      { protocol: 'UDP', port: 'dns' },
      { protocol: 'TCP', port: 443, endPort: 444 },
    ]);
  });
});

describe('the stored (GET) form', () => {
  it('leaves out empty optional lists and maps but keeps empty selectors, which mean "all"', () => {
    const policy = stored(
      networkPolicy(
        {
          podSelector: { matchLabels: {}, matchExpressions: [] },
          ingress: [{ from: [], ports: [] }, { from: [{ namespaceSelector: {} }, { ipBlock: { cidr: '10.0.0.0/8', except: [] } }] }],
          egress: [],
        },
        { labels: {}, annotations: {} },
      ),
    );
    expect(policy).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: policy.metadata.name, namespace: 'x' },
      spec: {
        podSelector: {},
        ingress: [{}, { from: [{ namespaceSelector: {} }, { ipBlock: { cidr: '10.0.0.0/8' } }] }],
        policyTypes: ['Ingress'],
      },
    });
  });

  it('drops empty values of Exists requirements and sorts map keys as Go encodes maps', () => {
    const policy = stored(
      networkPolicy(
        { podSelector: { matchLabels: { b: '2', a: '1' }, matchExpressions: [{ key: 'k', operator: 'Exists', values: [] }] } },
        { labels: { z: '1', m: '2' } },
      ),
    );
    expect(Object.keys(policy.metadata.labels ?? {})).toEqual(['m', 'z']);
    expect(Object.keys(policy.spec.podSelector.matchLabels ?? {})).toEqual(['a', 'b']);
    expect(policy.spec.podSelector.matchExpressions).toEqual([{ key: 'k', operator: 'Exists' }]);
  });

  it('keeps CIDRs as written (canonical spelling is for the IR only)', () => {
    const policy = stored(networkPolicy({ egress: [{ to: [{ ipBlock: { cidr: '2001:DB8::/32' } }] }] }));
    expect(policy.spec.egress?.[0]?.to?.[0]?.ipBlock?.cidr).toBe('2001:DB8::/32');
  });

  it('orders fields as the API server does', () => {
    const policy = stored(networkPolicy({ policyTypes: ['Egress'], egress: [{ to: [{ podSelector: {} }], ports: [{ port: 1 }] }], ingress: [{}] }));
    expect(Object.keys(policy)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(Object.keys(policy.spec)).toEqual(['podSelector', 'ingress', 'egress', 'policyTypes']);
    expect(Object.keys(policy.spec.egress?.[0] ?? {})).toEqual(['ports', 'to']);
  });

  it.each<[string, Json]>([
    ['a bare policy', networkPolicy()],
    ['defaults to fill in', networkPolicy({ egress: [{ ports: [{ port: 53 }] }], ingress: [{ from: [] }] })],
    [
      'every peer shape',
      networkPolicy(
        {
          podSelector: { matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['x', 'y'] }] },
          ingress: [
            {
              from: [
                { podSelector: { matchLabels: { a: 'b' } } },
                { namespaceSelector: {} },
                { podSelector: {}, namespaceSelector: { matchLabels: { ns: 'y' } } },
                { ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.0.0/9'] } },
              ],
            },
          ],
        },
        { labels: { team: 'a' }, annotations: { note: 'n' } },
      ),
    ],
  ])('applying the GET form again is a no-op: %s', (_case, object) => {
    const once = stored(object);
    const twice = stored(JSON.parse(JSON.stringify(once)) as Json);
    expect(twice).toEqual(once);
    expect(JSON.stringify(twice)).toBe(JSON.stringify(once));
  });
});

describe('podSelector omitted or null (kubernetes/kubernetes#131354)', () => {
  it.each<[string, Json]>([
    ['omitted', {}],
    ['null', { podSelector: null }],
  ])('%s is stored as {} and selects every pod of the namespace', (_case, spec) => {
    const object = networkPolicy({}, { namespace: 'shop' });
    const parsed = parsePolicyObject({ ...object, spec: { ...spec, ingress: [{ ports: [{ port: 80 }] }] } });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    expect((parsed.object as DefaultedNetworkPolicy).spec.podSelector).toEqual({});
    const explicit = parsePolicyObject({ ...object, spec: { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] } });
    if (!explicit.ok) throw new Error(JSON.stringify(explicit.issues));
    expect(parsed.ir).toEqual(explicit.ir);
  });

  it('a StagedKubernetesNetworkPolicy without one stages every pod of its namespace', () => {
    const parsed = parsePolicyObject({
      apiVersion: 'projectcalico.org/v3',
      kind: 'StagedKubernetesNetworkPolicy',
      metadata: { name: 'deny', namespace: 'shop' },
      spec: { policyTypes: ['Ingress'] },
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    expect(parsed.object).toMatchObject({ spec: { podSelector: {}, stagedAction: 'Set', policyTypes: ['Ingress'] } });
  });
});
