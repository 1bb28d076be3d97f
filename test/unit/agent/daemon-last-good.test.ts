// The last good bundle on disk and a restart: written atomically, read back and verified again
// (never trusted for being on disk), and handed to the dataplane before the agent talks to the
// control plane. An expired one is still enforced after a restart, and reported as expired.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LAST_GOOD_FILE, LastGoodStore } from '../../../agent/state/last-good.ts';
import {
  HOUR,
  type Identity,
  type Keys,
  ManualInventorySource,
  makeDaemon,
  makeKeys,
  NOW,
  newIdentity,
  payload,
  policyNamed,
  RecordingDataplane,
  signed,
  smallInventory,
  statusRecorder,
  tempDir,
} from './daemon-fixtures.ts';

let keys: Keys;
let identity: Identity;
let dir: Awaited<ReturnType<typeof tempDir>>;

beforeEach(async () => {
  keys = await makeKeys();
  identity = newIdentity();
  dir = await tempDir();
});
afterEach(async () => {
  await dir.remove();
});

/** A first agent process applies `revision`, then stops (as on SIGTERM). */
async function runOnce(revision: number) {
  const dataplane = new RecordingDataplane();
  const daemon = makeDaemon({ identity, keys, dataplane, stateDir: dir.path });
  await daemon.restore();
  expect(await daemon.offerBundle(await signed(keys, payload(identity, revision, { policy: policyNamed(`r${revision}`) })))).toMatchObject({
    disposition: 'applied',
  });
  await daemon.stop();
  expect(dataplane.closed).toBe(1);
  return dataplane;
}

describe('LastGoodStore', () => {
  it('writes the JWS and its revision in one file, atomically, leaving no temporary files', async () => {
    const store = new LastGoodStore(join(dir.path, 'nested'));
    expect(await store.load()).toEqual({ ok: true, record: undefined });
    await store.save({ revision: 3, jws: 'a.b.c', appliedAt: NOW });
    await store.save({ revision: 4, jws: 'd.e.f', appliedAt: NOW });
    expect(await readdir(join(dir.path, 'nested'))).toEqual([LAST_GOOD_FILE]);
    expect(await store.load()).toEqual({ ok: true, record: { format: 1, revision: 4, jws: 'd.e.f', appliedAt: NOW.toISOString() } });
  });

  it('reports a damaged file as a value, not an exception', async () => {
    const store = new LastGoodStore(dir.path);
    await writeFile(store.path, '{"format":1,"revision":');
    expect(await store.load()).toMatchObject({ ok: false, code: 'STATE_CORRUPT' });
  });
});

describe('a restart', () => {
  it('persists what was applied, and re-applies it before any call to the control plane', async () => {
    await runOnce(7);
    const saved = JSON.parse(await readFile(join(dir.path, LAST_GOOD_FILE), 'utf8')) as { revision: number };
    expect(saved.revision).toBe(7);

    const status = statusRecorder();
    const dataplane = new RecordingDataplane();
    const calls: string[] = [];
    dataplane.adopt = async () => void calls.push('adopt');
    dataplane.onApply = () => calls.push(`apply with ${status.requests.length} network calls made`);
    const daemon = makeDaemon({ identity, keys, dataplane, stateDir: dir.path, fetch: status.fetch });
    await daemon.restore();
    expect(calls).toEqual(['adopt', 'apply with 0 network calls made']);
    expect(dataplane.revisions).toEqual([7]);
    expect(dataplane.applies[0]!.bundle.policy).toEqual(policyNamed('r7'));
    expect(daemon.appliedRevision).toBe(7);
    // Only strictly newer bundles from now on: the restored revision is the rollback floor.
    expect(await daemon.offerBundle(await signed(keys, payload(identity, 6)))).toMatchObject({ disposition: 'rejected', code: 'STALE_REVISION' });
    await daemon.stop();
  });

  it('keeps enforcing an expired last good bundle, and reports it as expired', async () => {
    await runOnce(7);
    const later = new Date(NOW.getTime() + 30 * 24 * HOUR);
    const dataplane = new RecordingDataplane();
    const daemon = makeDaemon({ identity, keys, dataplane, stateDir: dir.path, clock: () => later });
    await daemon.restore();
    expect(dataplane.revisions).toEqual([7]);
    expect(daemon.status()).toMatchObject({ appliedRevision: 7, errors: [{ code: 'ENFORCING_EXPIRED_BUNDLE', revision: 7 }] });
    await daemon.stop();
  });

  it('refuses a last good bundle that was tampered with on disk', async () => {
    await runOnce(7);
    const path = join(dir.path, LAST_GOOD_FILE);
    const record = JSON.parse(await readFile(path, 'utf8')) as { jws: string };
    const [header, , signature] = record.jws.split('.');
    const forged = Buffer.from(JSON.stringify(payload(identity, 7, { policy: policyNamed('attacker') }))).toString('base64url');
    await writeFile(path, JSON.stringify({ ...record, jws: `${header}.${forged}.${signature}` }));

    const dataplane = new RecordingDataplane();
    const daemon = makeDaemon({ identity, keys, dataplane, stateDir: dir.path });
    await daemon.restore();
    expect(dataplane.applies).toEqual([]);
    expect(dataplane.adopted).toBe(1); // what the previous process left attached stays
    expect(daemon.status()).toMatchObject({ appliedRevision: null, errors: [{ code: 'LAST_GOOD_REFUSED', revision: 7 }] });
    expect(daemon.status().errors[0]!.message).toContain('BAD_SIGNATURE');
    await daemon.stop();
  });

  it('refuses a last good bundle of another cluster (the state dir was reused for another install)', async () => {
    await runOnce(7);
    const other = { ...identity, clusterId: newIdentity().clusterId };
    const dataplane = new RecordingDataplane();
    const daemon = makeDaemon({ identity: other, keys, dataplane, stateDir: dir.path });
    await daemon.restore();
    expect(dataplane.applies).toEqual([]);
    expect(daemon.status().errors[0]!.message).toContain('WRONG_CLUSTER');
    await daemon.stop();
  });

  it('holds the restored bundle until the inventory arrives, then applies it', async () => {
    await runOnce(7);
    const inventory = new ManualInventorySource();
    const dataplane = new RecordingDataplane();
    const daemon = makeDaemon({ identity, keys, dataplane, inventory, stateDir: dir.path });
    await daemon.restore();
    expect(dataplane.applies).toEqual([]);
    expect(daemon.appliedRevision).toBe(0);
    inventory.set(smallInventory());
    await expect.poll(() => daemon.appliedRevision).toBe(7);
    expect(dataplane.revisions).toEqual([7]);
    await daemon.stop();
    expect(inventory.closed).toBe(true);
  });

  it('replaces the last good bundle only with one that was applied', async () => {
    await runOnce(7);
    const dataplane = new RecordingDataplane();
    const daemon = makeDaemon({ identity, keys, dataplane, stateDir: dir.path });
    await daemon.restore();
    dataplane.refuse = { code: 'LOAD_FAILED', message: 'verifier rejected the program' };
    await daemon.offerBundle(await signed(keys, payload(identity, 8)));
    expect((await new LastGoodStore(dir.path).load()) as unknown).toMatchObject({ ok: true, record: { revision: 7 } });
    dataplane.refuse = undefined;
    await daemon.offerBundle(await signed(keys, payload(identity, 9)));
    expect((await new LastGoodStore(dir.path).load()) as unknown).toMatchObject({ ok: true, record: { revision: 9 } });
    await daemon.stop();
  });
});
