import { describe, expect, it } from 'vitest';
import { CIDR_REASONS, cidrContains, formatCidr, isStrictSubset, type ParsedCidr, parseCidr } from '../../../policy/validation/cidr.ts';

function parsed(text: string): ParsedCidr {
  const result = parseCidr(text);
  if (!result.ok) throw new Error(`${text}: ${result.reason}`);
  return result.cidr;
}

function reason(text: string): string | undefined {
  const result = parseCidr(text);
  return result.ok ? undefined : result.reason;
}

describe('parseCidr', () => {
  it('parses IPv4 to four bytes and the prefix', () => {
    expect(parsed('10.1.0.0/16')).toEqual({ family: 4, bytes: Uint8Array.from([10, 1, 0, 0]), prefix: 16 });
    expect(parsed('0.0.0.0/0').prefix).toBe(0);
    expect(parsed('198.18.0.7/32').bytes).toEqual(Uint8Array.from([198, 18, 0, 7]));
  });

  it('parses IPv6 with and without ::, and with a dotted IPv4 tail', () => {
    const doc = parsed('2001:db8::/32');
    expect(doc.family).toBe(6);
    expect(Array.from(doc.bytes.subarray(0, 4))).toEqual([0x20, 0x01, 0x0d, 0xb8]);
    expect(doc.bytes.subarray(4).every((b) => b === 0)).toBe(true);
    expect(parsed('::/0').bytes).toEqual(new Uint8Array(16));
    expect(parsed('2001:0DB8:0:0:0:0:0:1/128').bytes[15]).toBe(1);
    expect(Array.from(parsed('64:ff9b::192.0.2.0/120').bytes.subarray(12))).toEqual([192, 0, 2, 0]);
    expect(parsed('1:2:3:4:5:6:7::/128').bytes[13]).toBe(7);
  });

  it.each([
    '',
    '10.0.0.0',
    '10.0.0/8',
    '10.0.0.0.0/8',
    '256.0.0.0/8',
    '10.0.0.0/33',
    '10.0.0.0/',
    '10.0.0.0/+8',
    ' 10.0.0.0/8',
    '10.0.0.0/8 ',
    'a.b.c.d/8',
    '2001:db8::/129',
    '2001:db8:::/64',
    '2001::db8::/64',
    '1:2:3:4:5:6:7:8::/128',
    '1:2:3:4:5:6:7/112',
    '12345::/16',
    'fe80::1%eth0/64',
    '::1.2.3.4:5/128',
    ':1:2:3:4:5:6:7/128',
  ])('refuses %j as not a CIDR', (text) => {
    expect(reason(text)).toBe(CIDR_REASONS.syntax);
  });

  it('refuses leading zeros in an IPv4 octet or in the prefix length', () => {
    expect(reason('010.0.0.0/8')).toBe(CIDR_REASONS.leadingZeros);
    expect(reason('10.0.0.0/08')).toBe(CIDR_REASONS.leadingZeros);
    expect(reason('::ffff:01.2.3.4/128')).toBe(CIDR_REASONS.leadingZeros);
    // Leading zeros inside an IPv6 group are ordinary hex and allowed.
    expect(reason('2001:0db8::/32')).toBeUndefined();
  });

  it('refuses IPv4-mapped IPv6 addresses', () => {
    expect(reason('::ffff:10.0.0.0/104')).toBe(CIDR_REASONS.ipv4Mapped);
  });

  it('refuses bits set after the prefix length', () => {
    expect(reason('10.0.0.1/8')).toBe(CIDR_REASONS.hostBits);
    expect(reason('2001:db8::1/64')).toBe(CIDR_REASONS.hostBits);
    expect(reason('10.0.0.1/32')).toBeUndefined();
  });
});

describe('formatCidr', () => {
  it.each([
    ['10.1.0.0/16', '10.1.0.0/16'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0000/32', '2001:db8::/32'],
    ['2001:db8:0:0:1:0:0:0/80', '2001:db8:0:0:1::/80'],
    ['2001:db8:0:0:1:0:0:1/128', '2001:db8::1:0:0:1/128'],
    ['2001:db8:0:1:0:0:0:0/64', '2001:db8:0:1::/64'],
    ['::/0', '::/0'],
    ['::1/128', '::1/128'],
    ['2001:db8:1:2:3:4:5:0/128', '2001:db8:1:2:3:4:5:0/128'],
  ])('writes %s as %s (RFC 5952)', (input, canonical) => {
    expect(formatCidr(parsed(input))).toBe(canonical);
  });
});

describe('containment', () => {
  it('contains narrower ranges of the same family inside it', () => {
    expect(cidrContains(parsed('10.0.0.0/8'), parsed('10.1.2.0/24'))).toBe(true);
    expect(cidrContains(parsed('10.0.0.0/8'), parsed('11.0.0.0/24'))).toBe(false);
    expect(cidrContains(parsed('10.1.0.0/16'), parsed('10.0.0.0/8'))).toBe(false);
    expect(cidrContains(parsed('0.0.0.0/0'), parsed('::/0'))).toBe(false);
  });

  it('counts a range as a strict subset only when it is smaller', () => {
    expect(isStrictSubset(parsed('10.0.0.0/8'), parsed('10.0.0.0/8'))).toBe(false);
    expect(isStrictSubset(parsed('10.0.0.0/8'), parsed('10.0.0.0/9'))).toBe(true);
    expect(isStrictSubset(parsed('2001:db8::/32'), parsed('2001:db8:1::/48'))).toBe(true);
  });
});
