// The admit phase (agent/apply/admit.ts): the one check of optional IR features against what the
// chosen dataplane declares, on its own and through the daemon with a dataplane that lacks one.
import { afterEach, describe, expect, it } from 'vitest';
import { admit } from '../../../../agent/apply/admit.ts';
import { inventorySchema } from '../../../../policy/inventory.ts';
import type { PolicySet } from '../../../../policy/ir.ts';
import { IR_FEATURES } from '../../../../policy/ir-features.ts';
import {
  ManualInventorySource,
  makeDaemon,
  makeKeys,
  newIdentity,
  payload,
  policyNamed,
  RecordingDataplane,
  signed,
  smallInventory,
  tempDir,
} from '../daemon-fixtures.ts';

const inventory = inventorySchema.parse(smallInventory());

/** policyNamed's set with a network set on it: uses the optional `networkSets` feature. */
function withNetworkSet(name: string): PolicySet {
  const set = policyNamed(name);
  return {
    ...set,
    networkSets: [
      { id: 'GlobalNetworkSet/blocked', kind: 'GlobalNetworkSet', namespace: null, name: 'blocked', labels: { role: 'blocked' }, nets: ['192.0.2.0/24'] },
    ],
  };
}

describe('admit', () => {
  const identity = newIdentity();

  it('admits a bundle whose features the dataplane declares, with the inventory to apply it over', () => {
    const bundle = payload(identity, 1, { policy: withNetworkSet('a') });
    expect(admit(bundle, inventory, IR_FEATURES)).toEqual({ admitted: true, input: { bundle, inventory } });
  });

  it('refuses a bundle using a feature the dataplane does not declare, naming the feature', () => {
    const bundle = payload(identity, 1, { policy: withNetworkSet('a') });
    const admission = admit(
      bundle,
      inventory,
      IR_FEATURES.filter((f) => f !== 'networkSets'),
    );
    expect(admission).toMatchObject({ admitted: false, errors: [{ code: 'UNSUPPORTED_POLICY_FEATURES', message: expect.stringContaining('networkSets') }] });
  });

  it('needs no optional feature for a plain policy', () => {
    expect(admit(payload(identity, 1, { policy: policyNamed('plain') }), inventory, [])).toMatchObject({ admitted: true });
  });
});

describe('a dataplane without a feature the bundle uses', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('is never asked to apply it: the previous policy stays and the status report names the feature', async () => {
    const keys = await makeKeys();
    const identity = newIdentity();
    const dir = await tempDir();
    const dataplane = new RecordingDataplane(IR_FEATURES.filter((f) => f !== 'networkSets'));
    const daemon = makeDaemon({ identity, keys, dataplane, inventory: new ManualInventorySource(smallInventory()), stateDir: dir.path });
    cleanup = async () => {
      await daemon.stop();
      await dir.remove();
    };
    await daemon.restore();
    expect(await daemon.offerBundle(await signed(keys, payload(identity, 1, { policy: policyNamed('plain') })))).toEqual({
      disposition: 'applied',
      revision: 1,
    });

    const outcome = await daemon.offerBundle(await signed(keys, payload(identity, 2, { policy: withNetworkSet('sets') })));
    expect(outcome).toEqual({ disposition: 'held', revision: 2, reason: 'APPLY_FAILED' });
    expect(dataplane.revisions).toEqual([1]);
    expect(daemon.appliedRevision).toBe(1);
    expect(daemon.status().errors).toEqual([{ code: 'UNSUPPORTED_POLICY_FEATURES', message: expect.stringContaining('networkSets'), revision: 2 }]);
  });
});
