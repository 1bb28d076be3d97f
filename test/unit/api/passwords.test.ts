// Password hashes: scrypt with its parameters and a fresh salt in the stored value; the right password
// verifies, a wrong one or an unreadable stored value does not (and never throws).
import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../../api/services/passwords.ts';

describe('password hashes', () => {
  it('stores the parameters and a per-password salt, and verifies only the right password', async () => {
    const first = await hashPassword('correct horse battery staple');
    const second = await hashPassword('correct horse battery staple');
    expect(first).toMatch(/^scrypt\$N=32768,r=8,p=1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(first).not.toBe(second);
    expect(first).not.toContain('correct horse');
    expect(await verifyPassword('correct horse battery staple', first)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', first)).toBe(false);
  });

  it('verifies against the parameters stored with the hash, not the current ones', async () => {
    const stored = await hashPassword('a password of some length');
    const [, , salt, key] = stored.split('$');
    expect(await verifyPassword('a password of some length', `scrypt$N=1024,r=8,p=1$${salt}$${key}`)).toBe(false);
  });

  it('refuses a stored value it cannot read instead of throwing', async () => {
    expect(await verifyPassword('anything at all', 'plaintext')).toBe(false);
    expect(await verifyPassword('anything at all', 'scrypt$N=x,r=8,p=1$AAAA$AAAA')).toBe(false);
  });
});
