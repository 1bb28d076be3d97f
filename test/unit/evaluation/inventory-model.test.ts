import { describe, expect, it } from 'vitest';
import { endpointKey, inventorySchema } from '../../../policy/inventory.ts';

const endpoint = (fields: Record<string, unknown> = {}) => ({ namespace: 'x', name: 'a', ...fields });

describe('inventorySchema', () => {
  it('fills defaults and sets the namespace name label whatever the source says', () => {
    const inv = inventorySchema.parse({
      namespaces: [{ name: 'x', labels: { team: 'blue', 'kubernetes.io/metadata.name': 'wrong' } }, { name: 'y' }],
      endpoints: [endpoint()],
    });
    expect(inv.namespaces).toEqual([
      { name: 'x', labels: { team: 'blue', 'kubernetes.io/metadata.name': 'x' } },
      { name: 'y', labels: { 'kubernetes.io/metadata.name': 'y' } },
    ]);
    expect(inv.endpoints[0]).toEqual({ namespace: 'x', name: 'a', labels: {}, ipv4: [], ipv6: [], ports: [] });
    expect(endpointKey(inv.endpoints[0]!)).toBe('x/a');
  });

  it('refuses addresses of the wrong family or with leading zeros, and unknown protocols', () => {
    const check = (fields: Record<string, unknown>) => inventorySchema.safeParse({ namespaces: [{ name: 'x' }], endpoints: [endpoint(fields)] }).success;
    expect(check({ ipv4: ['198.18.0.1'], ipv6: ['fd00::1'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] })).toBe(true);
    expect(check({ ipv4: ['fd00::1'] })).toBe(false);
    expect(check({ ipv6: ['198.18.0.1'] })).toBe(false);
    expect(check({ ipv4: ['198.18.0.01'] })).toBe(false);
    expect(check({ ports: [{ port: 80, protocol: 'ICMP' }] })).toBe(false);
    expect(check({ ports: [{ port: 0, protocol: 'TCP' }] })).toBe(false);
  });

  it('refuses duplicate namespaces and endpoints, and endpoints of an unknown namespace', () => {
    const issues = (input: unknown) => {
      const r = inventorySchema.safeParse(input);
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(issues({ namespaces: [{ name: 'x' }, { name: 'x' }], endpoints: [endpoint(), endpoint(), endpoint({ namespace: 'z' })] })).toEqual([
      'namespaces.1.name: duplicate namespace x',
      'endpoints.1.name: duplicate endpoint x/a',
      'endpoints.2.namespace: unknown namespace z',
    ]);
  });
});
