// Rotating the signing key: new bundles are signed with the new key, and bundles signed with the old
// one keep verifying against the published trust root during the overlap.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newKeyRing } from '../../../policy/bundle/index.ts';
import { rotateKeyRingFile, writeKeyRing } from '../../../workers/signing/key-ring-store.ts';
import { type ApiClient, apiClient, createAgentToken, createCluster, createPolicy, signUp } from '../../support/api-client.ts';
import { waitForRevision } from '../../support/bundles.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';

describe('signing key rotation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-keys-'));
  const file = join(dir, 'signing-keys.json');
  let control: TestControlPlane;
  let api: ApiClient;

  beforeAll(async () => {
    writeKeyRing(file, await newKeyRing(new Date()));
    control = await startTestControlPlane('pglite', { SIGNING_KEYS_FILE: file, SIGNING_KEYS: '' });
    api = apiClient(control.url);
  });
  afterAll(async () => {
    await control?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs with the new key after a rotation while old bundles still verify', async () => {
    const { key } = await signUp(api);
    const cluster = await createCluster(api, key);
    const token = await createAgentToken(api, key, cluster.id);
    const old = await waitForRevision(api, token, 1);
    const oldKid = jose.decodeProtectedHeader(old.jws).kid;

    const rotated = await rotateKeyRingFile(file, new Date(), 24 * 3_600_000);
    expect(rotated.active).not.toBe(oldKid);
    await new Promise((resolve) => setTimeout(resolve, 1_200)); // the key ring file is re-read at most once a second

    await createPolicy(api, key, cluster.id);
    const fresh = await waitForRevision(api, token, 2);
    expect(jose.decodeProtectedHeader(fresh.jws).kid).toBe(rotated.active);

    const trustRoot = (await api.get('/v1/trust-root')).body;
    expect(trustRoot.keys.map((entry: { kid: string }) => entry.kid).sort()).toEqual([oldKid, rotated.active].sort());
    const keySet = jose.createLocalJWKSet(trustRoot);
    await expect(jose.compactVerify(old.jws, keySet)).resolves.toBeTruthy();
    await expect(jose.compactVerify(fresh.jws, keySet)).resolves.toBeTruthy();
  });
});
