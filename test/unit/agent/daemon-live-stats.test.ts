// The status report carries counters that change between applies (bandwidth drops): the daemon merges
// the dataplane's liveStats() over the last apply's program statistics at every report.
import { afterEach, expect, it } from 'vitest';
import type { ProgramStats } from '../../../agent/datapath/dataplane.ts';
import { makeDaemon, makeKeys, newIdentity, payload, RecordingDataplane, signed, tempDir } from './daemon-fixtures.ts';

class CountingDataplane extends RecordingDataplane {
  dropped = 0;
  failing = false;
  liveStats(): Record<string, ProgramStats> {
    if (this.failing) throw new Error('map read failed');
    return { 'shop/web': { bandwidth: { ingress: [], egress: [{ id: 'pod/shop/web/egress', droppedPackets: this.dropped }] } }, 'shop/gone': { rules: 1 } };
  }
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup) await fn();
  cleanup = [];
});

it('reports the dataplane counters as of each report, over the last apply, for applied endpoints only', async () => {
  const keys = await makeKeys();
  const identity = newIdentity();
  const dataplane = new CountingDataplane();
  const dir = await tempDir();
  const daemon = makeDaemon({ identity, keys, dataplane, stateDir: dir.path });
  cleanup.push(
    () => daemon.stop(),
    () => dir.remove(),
  );
  await daemon.restore();
  expect(daemon.status().programs).toEqual({}); // nothing applied: nothing merged
  await daemon.offerBundle(await signed(keys, payload(identity, 1)));

  dataplane.dropped = 7;
  expect(daemon.status().programs['shop/web']).toMatchObject({ strategy: 'recording', bandwidth: { egress: [{ droppedPackets: 7 }] } });
  dataplane.dropped = 9;
  expect(daemon.status().programs['shop/web']).toMatchObject({ bandwidth: { egress: [{ droppedPackets: 9 }] } });
  expect(daemon.status().programs['shop/gone']).toBeUndefined();

  dataplane.failing = true;
  expect(daemon.status().programs['shop/web']).toMatchObject({ strategy: 'recording' });
});
