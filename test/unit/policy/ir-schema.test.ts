import { describe, expect, it } from 'vitest';
import { policySetSchema, ruleSchema } from '../../../policy/ir.ts';
import { formatCidr, parseCidrSpelled } from '../../../policy/validation/cidr.ts';

const oldShapePolicy = {
  id: 'NetworkPolicy/x/p',
  kind: 'NetworkPolicy',
  namespace: 'x',
  name: 'p',
  order: 1000,
  staged: false,
  subject: { namespaceSelector: { op: 'all' }, podSelector: { op: 'all' } },
  directions: ['ingress'],
  ingress: [{ action: 'Allow', ports: [{ protocol: 'TCP', port: 80 }], peers: [{ ipBlock: { cidr: '10.0.0.0/8', except: [] } }] }],
  egress: [],
};

describe('the IR stays backward compatible', () => {
  it('accepts a policy set written before the additions, unchanged', () => {
    const set = { tiers: [{ name: 'default', order: 1_000_000, defaultAction: 'Deny', policies: [oldShapePolicy] }] };
    expect(policySetSchema.parse(set)).toEqual(set);
  });

  it('stays strict: unknown fields are still refused at every level', () => {
    const tier = { name: 'default', order: 1, defaultAction: 'Deny', policies: [] };
    expect(policySetSchema.safeParse({ tiers: [{ ...tier, extra: 1 }] }).success).toBe(false);
    expect(policySetSchema.safeParse({ tiers: [tier], extra: 1 }).success).toBe(false);
    expect(ruleSchema.safeParse({ action: 'Allow', ports: [], peers: [], extra: 1 }).success).toBe(false);
  });

  it('bounds the new numeric fields', () => {
    const rule = { action: 'Allow', ports: [], peers: [] };
    expect(ruleSchema.safeParse({ ...rule, protocolNumber: 0 }).success).toBe(false);
    expect(ruleSchema.safeParse({ ...rule, protocolNumber: 256 }).success).toBe(false);
    expect(ruleSchema.safeParse({ ...rule, icmp: { type: 255 } }).success).toBe(false);
    expect(ruleSchema.safeParse({ ...rule, ipVersion: 5 }).success).toBe(false);
    expect(ruleSchema.safeParse({ ...rule, protocolNumber: 47, icmp: { type: 8, code: 0 }, ipVersion: 6 }).success).toBe(true);
  });
});

describe('CIDR spellings other APIs accept', () => {
  const spelled = (text: string, bareAddress: boolean, clearHostBits: boolean) => {
    const parsed = parseCidrSpelled(text, { bareAddress, clearHostBits });
    return parsed.ok ? formatCidr(parsed.cidr) : parsed.reason;
  };

  it('reads a bare address as a host only when asked', () => {
    expect(spelled('10.0.0.1', true, false)).toBe('10.0.0.1/32');
    expect(spelled('2001:db8::1', true, false)).toBe('2001:db8::1/128');
    expect(spelled('10.0.0.1', false, false)).toMatch(/must be a valid CIDR value/);
  });

  it('clears host bits only when asked, and keeps every other strict rule', () => {
    expect(spelled('10.1.2.3/16', false, true)).toBe('10.1.0.0/16');
    expect(spelled('2001:db8::1/32', false, true)).toBe('2001:db8::/32');
    expect(spelled('10.1.2.3/16', false, false)).toMatch(/must not have bits set beyond the prefix length/);
    expect(spelled('010.1.2.3/16', true, true)).toMatch(/must not have leading 0s/);
    expect(spelled('::ffff:10.0.0.0/104', true, true)).toMatch(/must not have an IPv4-mapped IPv6 address/);
  });
});
