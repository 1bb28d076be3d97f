// The accept phase (agent/apply/accept.ts): a bundle signed for this agent passes as a verified
// bundle; the refusals carry policy/bundle/verify.ts's codes. Real Ed25519 keys.
import { describe, expect, it } from 'vitest';
import { acceptBundle, verifiedBundle } from '../../../../agent/apply/accept.ts';
import { makeKeys, NOW, newIdentity, payload, signed } from '../daemon-fixtures.ts';

describe('accept', () => {
  it('passes a bundle signed for this agent, and names what it refuses', async () => {
    const keys = await makeKeys();
    const identity = newIdentity();
    const jws = await signed(keys, payload(identity, 3));
    const context = { identity, trustRoot: keys.trustRoot, appliedRevision: 2, now: NOW, maxBytes: 1 << 20 };
    const verdict = await acceptBundle(jws, context);
    expect(verdict.ok).toBe(true);
    if (verdict.ok) expect(verifiedBundle(jws, verdict.payload)).toEqual({ jws, payload: verdict.payload, revision: 3 });
    expect(await acceptBundle(jws, { ...context, appliedRevision: 3 })).toMatchObject({ ok: false, code: 'STALE_REVISION' });
    expect(await acceptBundle(jws, { ...context, identity: newIdentity() })).toMatchObject({ ok: false, code: 'WRONG_TENANT' });
  });
});
