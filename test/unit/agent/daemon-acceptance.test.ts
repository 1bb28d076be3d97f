// The agent's acceptance test in the daemon: every bundle it must refuse is refused, and a refusal
// changes nothing — the dataplane is not called again, the applied revision stays, and the status
// report says why. Real Ed25519 keys and real signatures throughout.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentDaemon } from '../../../agent/daemon.ts';
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
let dataplane: RecordingDataplane;
let inventory: ManualInventorySource;
let status: ReturnType<typeof statusRecorder>;
let daemon: AgentDaemon;
let dir: Awaited<ReturnType<typeof tempDir>>;

const MAX_BYTES = 64 * 1024;

beforeEach(async () => {
  keys = await makeKeys();
  identity = newIdentity();
  dataplane = new RecordingDataplane();
  inventory = new ManualInventorySource(smallInventory());
  status = statusRecorder();
  dir = await tempDir();
  daemon = makeDaemon({ identity, keys, dataplane, inventory, stateDir: dir.path, fetch: status.fetch, maxBundleBytes: MAX_BYTES });
  await daemon.restore();
  // Revision 5 is enforced before each refusal case.
  const outcome = await daemon.offerBundle(await signed(keys, payload(identity, 5, { policy: policyNamed('five') })));
  expect(outcome).toEqual({ disposition: 'applied', revision: 5 });
  expect(dataplane.revisions).toEqual([5]);
});

afterEach(async () => {
  await daemon.stop();
  await dir.remove();
});

/** Offers the bundle and checks the refusal left everything as it was, and was reported. */
async function expectRefused(jws: string, code: string) {
  const outcome = await daemon.offerBundle(jws, 99);
  expect(outcome).toMatchObject({ disposition: 'rejected', code });
  expect(dataplane.revisions).toEqual([5]);
  expect(daemon.appliedRevision).toBe(5);
  expect(daemon.status().appliedRevision).toBe(5);
  expect(daemon.status().errors).toContainEqual(expect.objectContaining({ code, revision: 99 }));
  await daemon.reportStatus();
  const last = status.posts.at(-1)!;
  expect(last).toMatchObject({ nodeName: 'node-a', appliedRevision: 5 });
  expect(last.errors.map((error) => error.code)).toContain(code);
}

describe('the agent refuses', () => {
  it('a bundle whose signature does not verify (signed by another key under a trusted key id)', async () => {
    const impostor = await makeKeys();
    const forged = await signed({ signingKey: { ...impostor.signingKey, kid: keys.signingKey.kid } }, payload(identity, 6));
    await expectRefused(forged, 'BAD_SIGNATURE');
  });

  it('a bundle whose payload was altered after signing', async () => {
    const [header, , signature] = (await signed(keys, payload(identity, 6))).split('.');
    const altered = Buffer.from(JSON.stringify(payload(identity, 6, { policy: policyNamed('evil') }))).toString('base64url');
    await expectRefused(`${header}.${altered}.${signature}`, 'BAD_SIGNATURE');
  });

  it('a bundle signed with a key id that is not in its trust root', async () => {
    await expectRefused(await signed(await makeKeys(), payload(identity, 6)), 'UNKNOWN_KEY');
  });

  it("another cluster's bundle (same tenant)", async () => {
    await expectRefused(await signed(keys, payload({ ...identity, clusterId: newIdentity().clusterId }, 6)), 'WRONG_CLUSTER');
  });

  it("another tenant's bundle", async () => {
    await expectRefused(await signed(keys, payload({ ...identity, tenantId: newIdentity().tenantId }, 6)), 'WRONG_TENANT');
  });

  it('an older revision (rollback)', async () => {
    await expectRefused(await signed(keys, payload(identity, 4)), 'STALE_REVISION');
  });

  it('the same revision again (replay), even with other content', async () => {
    await expectRefused(await signed(keys, payload(identity, 5, { policy: policyNamed('other') })), 'STALE_REVISION');
  });

  it('an expired bundle (freeze)', async () => {
    const expired = payload(identity, 6, { issuedAt: new Date(NOW.getTime() - 48 * HOUR).toISOString(), expiresAt: new Date(NOW.getTime() - 1).toISOString() });
    await expectRefused(await signed(keys, expired), 'EXPIRED');
  });

  it('an oversize bundle (endless data), however well signed', async () => {
    const huge = policyNamed('huge');
    huge.tiers[0]!.policies[0]!.ingress = Array.from({ length: 2_000 }, (_, i) => ({
      action: 'Allow' as const,
      ports: [{ protocol: 'TCP' as const, port: 1 + (i % 65_000) }],
      peers: [],
    }));
    const jws = await signed(keys, payload(identity, 6, { policy: huge }));
    expect(Buffer.byteLength(jws)).toBeGreaterThan(MAX_BYTES);
    await expectRefused(jws, 'TOO_LARGE');
  });

  it('something that is not a JWS at all', async () => {
    await expectRefused('not-a-bundle', 'MALFORMED');
  });
});

describe('after refusals', () => {
  it('accepts the next good bundle and clears the refusal from the report', async () => {
    await expectRefused(await signed(keys, payload(identity, 4)), 'STALE_REVISION');
    expect(await daemon.offerBundle(await signed(keys, payload(identity, 7)))).toEqual({ disposition: 'applied', revision: 7 });
    expect(dataplane.revisions).toEqual([5, 7]);
    expect(daemon.status().errors).toEqual([]);
  });
});

describe('a dataplane that cannot apply a bundle', () => {
  it('keeps the previous enforcement and revision, reports the error, and retries on an inventory change', async () => {
    dataplane.refuse = { code: 'COMPILE_LIMIT', message: 'too many instructions', endpoint: 'shop/web' };
    const outcome = await daemon.offerBundle(await signed(keys, payload(identity, 6, { policy: policyNamed('six') })));
    expect(outcome).toEqual({ disposition: 'held', revision: 6, reason: 'APPLY_FAILED' });
    expect(daemon.appliedRevision).toBe(5);
    expect(daemon.status()).toMatchObject({ appliedRevision: 5, errors: [{ code: 'COMPILE_LIMIT', endpoint: 'shop/web', revision: 6 }] });

    dataplane.refuse = undefined;
    inventory.set(smallInventory('api'));
    await expect.poll(() => daemon.appliedRevision).toBe(6);
    expect(dataplane.revisions).toEqual([5, 6]);
    expect(dataplane.applies.at(-1)!.inventory.endpoints.map((e) => e.name)).toEqual(['web', 'api']);
    expect(daemon.status().errors).toEqual([]);
  });

  it('treats a throwing dataplane as a failed apply', async () => {
    dataplane.apply = async () => {
      throw new Error('bpf_prog_load: EPERM');
    };
    const outcome = await daemon.offerBundle(await signed(keys, payload(identity, 6)));
    expect(outcome).toMatchObject({ disposition: 'held', reason: 'APPLY_FAILED' });
    expect(daemon.appliedRevision).toBe(5);
    expect(daemon.status().errors).toContainEqual(expect.objectContaining({ code: 'DATAPLANE_FAILED', message: 'bpf_prog_load: EPERM' }));
  });
});

describe('inventory changes', () => {
  it('re-apply the current bundle to the new set of pods', async () => {
    inventory.set(smallInventory('db'));
    await expect.poll(() => dataplane.applies.length).toBe(2);
    expect(dataplane.revisions).toEqual([5, 5]);
    expect(daemon.appliedRevision).toBe(5);
  });

  it('that are unusable keep the previous inventory and are reported', async () => {
    inventory.fail({ code: 'INVENTORY_INVALID', message: 'endpoints.0.ipv4.0: must be an IPv4 address' });
    await expect.poll(() => daemon.status().errors.map((e) => e.code)).toEqual(['INVENTORY_INVALID']);
    expect(dataplane.revisions).toEqual([5]);
  });
});
