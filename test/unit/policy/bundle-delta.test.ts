// A delta rebuilds exactly the signed bundle it was made from, and anything else is refused before
// it reaches the signature check: a wrong base, a copy outside the base, a payload past the limit,
// a payload that is not canonical JSON or whose policy does not match its content hash.
import { describe, expect, it } from 'vitest';
import { type BundleDelta, diffBundles, rebuildBundle } from '../../../policy/bundle/delta.ts';
import { makeKeys, newIdentity, payload, policyNamed, signed } from '../agent/daemon-fixtures.ts';

async function twoRevisions() {
  const keys = await makeKeys();
  const identity = newIdentity();
  const base = { revision: 1, jws: await signed(keys, payload(identity, 1, { policy: policyNamed('web') })) };
  const target = { revision: 2, jws: await signed(keys, payload(identity, 2, { policy: policyNamed('api') })) };
  return { base, target, delta: diffBundles(base, target) };
}

describe('bundle deltas', () => {
  it('rebuild the target JWS byte for byte, copying what the base already has', async () => {
    const { base, target, delta } = await twoRevisions();
    expect(rebuildBundle(base, delta, 1024 * 1024)).toEqual({ ok: true, jws: target.jws });
    expect(delta.ops.some((op) => Array.isArray(op))).toBe(true);
    expect(JSON.stringify(delta).length).toBeLessThan(target.jws.length);
  });

  it('refuse a delta against another revision, or one copying past the base', async () => {
    const { base, delta } = await twoRevisions();
    expect(rebuildBundle({ ...base, revision: 7 }, delta, 1024 * 1024)).toMatchObject({ ok: false });
    const outside: BundleDelta = { ...delta, ops: [[base.jws.length * 2, 10]] };
    expect(rebuildBundle(base, outside, 1024 * 1024)).toMatchObject({ ok: false, message: expect.stringContaining('past the end') });
    expect(rebuildBundle(base, delta, 100)).toMatchObject({ ok: false, message: expect.stringContaining('limit') });
  });

  it('refuse a rebuilt payload that is not canonical or does not match its content hash', async () => {
    const { base, delta } = await twoRevisions();
    const literal = (text: string): BundleDelta => ({ ...delta, ops: [text] });
    expect(rebuildBundle(base, literal('{"a": 1}'), 1024 * 1024)).toMatchObject({ ok: false, message: expect.stringContaining('canonical') });
    const rebuilt = rebuildBundle(base, delta, 1024 * 1024);
    const text = Buffer.from((rebuilt.ok ? rebuilt.jws : '').split('.')[1]!, 'base64url').toString('utf8');
    expect(rebuildBundle(base, literal(text.replace('"api"', '"apj"')), 1024 * 1024)).toMatchObject({
      ok: false,
      message: expect.stringContaining('content hash'),
    });
  });
});
