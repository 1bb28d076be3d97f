import { describe, expect, it } from 'vitest';
import { KUBERNETES_POLICY_ORDER, type Policy, policySchema } from '../../../policy/ir.ts';
import { parsePolicyObject } from '../../../policy/kinds/index.ts';
import { ingressPolicy, type Json, networkPolicy } from './factories.ts';

function ir(object: Json): Policy {
  const result = parsePolicyObject(object);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return policySchema.parse(result.ir);
}

const ownNamespace = { op: 'eq', key: 'kubernetes.io/metadata.name', value: 'x' };

describe('a NetworkPolicy in the IR', () => {
  it('is identified by namespace and name, in the default tier order, never staged', () => {
    const policy = ir(networkPolicy({}, { name: 'deny-all' }));
    expect(policy).toMatchObject({
      id: 'NetworkPolicy/x/deny-all',
      kind: 'NetworkPolicy',
      namespace: 'x',
      name: 'deny-all',
      order: KUBERNETES_POLICY_ORDER,
      staged: false,
    });
  });

  it('applies to the selected pods of its own namespace only', () => {
    expect(ir(networkPolicy()).subject).toEqual({ namespaceSelector: ownNamespace, podSelector: { op: 'all' } });
    expect(ir(networkPolicy({ podSelector: { matchLabels: { pod: 'a' } } })).subject).toEqual({
      namespaceSelector: ownNamespace,
      podSelector: { op: 'eq', key: 'pod', value: 'a' },
    });
  });

  it('governs the directions of policyTypes and ignores rules of other directions', () => {
    const egressOnly = ir(networkPolicy({ policyTypes: ['Egress'], ingress: [{}], egress: [{}] }));
    expect(egressOnly.directions).toEqual(['egress']);
    expect(egressOnly.ingress).toEqual([]);
    expect(egressOnly.egress).toHaveLength(1);

    const both = ir(networkPolicy({ policyTypes: ['Egress', 'Ingress'] }));
    expect(both.directions).toEqual(['ingress', 'egress']);
    expect(both.ingress).toEqual([]);
    expect(both.egress).toEqual([]);
  });

  it('turns a rule without peers and ports into an Allow of everything', () => {
    expect(ir(networkPolicy({ ingress: [{}] })).ingress).toEqual([{ action: 'Allow', ports: [], peers: [] }]);
    expect(ir(networkPolicy({ ingress: [{ from: [], ports: [] }] })).ingress).toEqual([{ action: 'Allow', ports: [], peers: [] }]);
  });

  it('makes every rule Allow', () => {
    const policy = ir(networkPolicy({ ingress: [{}, { ports: [{ port: 80 }] }], egress: [{}] }));
    expect([...policy.ingress, ...policy.egress].every((rule) => rule.action === 'Allow')).toBe(true);
  });
});

describe('peers', () => {
  const peersOf = (from: Json[]) => ir(ingressPolicy({ from })).ingress[0]?.peers;

  it('podSelector alone: those pods in the policy namespace', () => {
    expect(peersOf([{ podSelector: { matchLabels: { pod: 'b' } } }])).toEqual([
      { endpoints: { namespaceSelector: ownNamespace, podSelector: { op: 'eq', key: 'pod', value: 'b' } } },
    ]);
    expect(peersOf([{ podSelector: {} }])).toEqual([{ endpoints: { namespaceSelector: ownNamespace, podSelector: { op: 'all' } } }]);
  });

  it('namespaceSelector alone: every pod of the selected namespaces', () => {
    expect(peersOf([{ namespaceSelector: { matchLabels: { ns: 'y' } } }])).toEqual([
      { endpoints: { namespaceSelector: { op: 'eq', key: 'ns', value: 'y' }, podSelector: { op: 'all' } } },
    ]);
    expect(peersOf([{ namespaceSelector: {} }])).toEqual([{ endpoints: { namespaceSelector: { op: 'all' }, podSelector: { op: 'all' } } }]);
  });

  it('both selectors in one peer: the selected pods in the selected namespaces', () => {
    expect(
      peersOf([{ namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'NotIn', values: ['x'] }] }, podSelector: { matchLabels: { pod: 'b' } } }]),
    ).toEqual([
      {
        endpoints: {
          namespaceSelector: { op: 'notIn', key: 'ns', values: ['x'] },
          podSelector: { op: 'eq', key: 'pod', value: 'b' },
        },
      },
    ]);
  });

  it('two peers stay two peers (OR)', () => {
    expect(peersOf([{ namespaceSelector: {} }, { podSelector: {} }])).toHaveLength(2);
  });

  it('ipBlock: cidr and except in canonical spelling', () => {
    expect(peersOf([{ ipBlock: { cidr: '10.0.0.0/8' } }])).toEqual([{ ipBlock: { cidr: '10.0.0.0/8', except: [] } }]);
    expect(peersOf([{ ipBlock: { cidr: '2001:DB8:0:0::/32', except: ['2001:db8:0:0:1::/80'] } }])).toEqual([
      { ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:0:0:1::/80'] } },
    ]);
  });

  it('egress peers come from `to`', () => {
    const policy = ir(networkPolicy({ egress: [{ to: [{ ipBlock: { cidr: '198.18.0.0/15' } }] }] }));
    expect(policy.egress[0]?.peers).toEqual([{ ipBlock: { cidr: '198.18.0.0/15', except: [] } }]);
  });
});

describe('ports', () => {
  it('number, range, name and protocol-only entries', () => {
    const policy = ir(ingressPolicy({ ports: [{ port: 80 }, { protocol: 'UDP', port: 5000, endPort: 5010 }, { port: 'serve-81-tcp' }, { protocol: 'SCTP' }] }));
    expect(policy.ingress[0]?.ports).toEqual([
      { protocol: 'TCP', port: 80 },
      { protocol: 'UDP', port: 5000, endPort: 5010 },
      { protocol: 'TCP', name: 'serve-81-tcp' },
      { protocol: 'SCTP' },
    ]);
  });
});

describe('selector translation', () => {
  const podSelectorOf = (podSelector: Json) => ir(networkPolicy({ podSelector })).subject.podSelector;

  it('maps each operator', () => {
    expect(podSelectorOf({ matchExpressions: [{ key: 'k', operator: 'In', values: ['b', 'a', 'b'] }] })).toEqual({ op: 'in', key: 'k', values: ['a', 'b'] });
    expect(podSelectorOf({ matchExpressions: [{ key: 'k', operator: 'NotIn', values: ['v'] }] })).toEqual({ op: 'notIn', key: 'k', values: ['v'] });
    expect(podSelectorOf({ matchExpressions: [{ key: 'k', operator: 'Exists' }] })).toEqual({ op: 'has', key: 'k' });
    expect(podSelectorOf({ matchExpressions: [{ key: 'k', operator: 'DoesNotExist' }] })).toEqual({ op: 'notHas', key: 'k' });
  });

  it('ANDs matchLabels (sorted by key) then matchExpressions (as written)', () => {
    expect(
      podSelectorOf({
        matchLabels: { tier: 'fe', app: 'web' },
        matchExpressions: [
          { key: 'env', operator: 'NotIn', values: ['dev'] },
          { key: 'canary', operator: 'DoesNotExist' },
        ],
      }),
    ).toEqual({
      op: 'and',
      args: [
        { op: 'eq', key: 'app', value: 'web' },
        { op: 'eq', key: 'tier', value: 'fe' },
        { op: 'notIn', key: 'env', values: ['dev'] },
        { op: 'notHas', key: 'canary' },
      ],
    });
  });

  it('gives the same IR for the same meaning written differently', () => {
    const a = ir(networkPolicy({ podSelector: { matchLabels: { b: '2', a: '1' } }, policyTypes: ['Egress', 'Ingress'] }, { name: 'same' }));
    const b = ir(networkPolicy({ podSelector: { matchLabels: { a: '1', b: '2' } }, policyTypes: ['Ingress', 'Egress'] }, { name: 'same' }));
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});
