// The agent gives an apply's memory back once its pipeline is idle (agent/memory/release.ts): one
// collection and one trim after the last run of a burst, none while a run is going on, none when no
// run changed what is enforced. And the daemon says when its pipeline runs start and end, and whether
// they applied something.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryReleaser, type MemoryReleaser } from '../../../agent/memory/release.ts';
import {
  capturingLogger,
  eventually,
  makeDaemon,
  makeKeys,
  newIdentity,
  payload,
  policyNamed,
  RecordingDataplane,
  signed,
  silentLogger,
  tempDir,
} from './daemon-fixtures.ts';

describe('the memory releaser', () => {
  const DELAY = 500;
  let collected: number;
  let trimmed: number;
  let releaser: MemoryReleaser;

  beforeEach(() => {
    vi.useFakeTimers();
    collected = 0;
    trimmed = 0;
    releaser = createMemoryReleaser({
      logger: silentLogger(),
      delayMs: DELAY,
      collect: () => void collected++,
      trim: async () => void trimmed++,
    });
  });
  afterEach(() => {
    releaser.stop();
    vi.useRealTimers();
  });

  it('collects and trims once, the delay after the last apply of a burst', async () => {
    releaser.busy();
    releaser.idle(true);
    await vi.advanceTimersByTimeAsync(DELAY - 1);
    releaser.busy();
    releaser.idle(true);
    await vi.advanceTimersByTimeAsync(DELAY - 1);
    expect([collected, trimmed]).toEqual([0, 0]);
    await vi.advanceTimersByTimeAsync(1);
    expect([collected, trimmed]).toEqual([1, 1]);
    await vi.advanceTimersByTimeAsync(10 * DELAY);
    expect([collected, trimmed]).toEqual([1, 1]);
  });

  it('waits for a run that started before the delay was over, even one that applied nothing', async () => {
    releaser.idle(true);
    releaser.busy();
    await vi.advanceTimersByTimeAsync(10 * DELAY);
    expect(collected).toBe(0);
    releaser.idle(false);
    await vi.advanceTimersByTimeAsync(DELAY);
    expect(collected).toBe(1);
  });

  it('does nothing after runs that changed nothing, or once stopped', async () => {
    releaser.busy();
    releaser.idle(false);
    await vi.advanceTimersByTimeAsync(10 * DELAY);
    expect(collected).toBe(0);
    releaser.idle(true);
    releaser.stop();
    await vi.advanceTimersByTimeAsync(10 * DELAY);
    expect([collected, trimmed]).toEqual([0, 0]);
  });

  it('still trims where node has no gc (run without --expose-gc)', async () => {
    const withoutGc = createMemoryReleaser({ logger: silentLogger(), delayMs: DELAY, collect: undefined, trim: async () => void trimmed++ });
    withoutGc.idle(true);
    await vi.advanceTimersByTimeAsync(DELAY);
    expect(trimmed).toBe(1);
  });
});

describe("the memory releaser's own trim", () => {
  it("runs with the default trim (glibc's malloc_trim through koffi) and logs the resident memory before and after", async () => {
    const { logger, lines } = capturingLogger();
    const releaser = createMemoryReleaser({ logger, delayMs: 1, collect: undefined });
    releaser.idle(true);
    await eventually(() => lines.some((line) => line.msg === 'memory released' || line.msg === 'memory release failed'), 10_000, 'the release');
    const line = lines.find((l) => l.msg === 'memory released');
    expect(line).toMatchObject({ rssMiB: expect.any(Number), afterMiB: expect.any(Number) });
    releaser.stop();
  });
});

describe('the daemon and the memory releaser', () => {
  it('marks each pipeline run busy, then idle with whether it changed what is enforced', async () => {
    const calls: string[] = [];
    const memory: MemoryReleaser = {
      busy: () => calls.push('busy'),
      idle: (applied) => calls.push(applied ? 'idle: applied' : 'idle'),
      stop: () => calls.push('stop'),
    };
    const keys = await makeKeys();
    const identity = newIdentity();
    const dir = await tempDir();
    const daemon = makeDaemon({ identity, keys, dataplane: new RecordingDataplane(), stateDir: dir.path, memory });
    try {
      await daemon.restore(); // no last good bundle: nothing changes, the inventory alone applies nothing
      expect(calls).toEqual(['busy', 'idle', 'busy', 'idle']);
      calls.length = 0;
      const jws = await signed(keys, payload(identity, 3, { policy: policyNamed('three') }));
      expect(await daemon.offerBundle(jws)).toMatchObject({ disposition: 'applied' });
      expect(calls).toEqual(['busy', 'idle: applied']);
      calls.length = 0;
      expect(await daemon.offerBundle(jws)).toMatchObject({ disposition: 'rejected' }); // not newer than what is applied
      expect(calls).toEqual(['busy', 'idle']);
      calls.length = 0;
      await daemon.stop();
      expect(calls).toEqual(['stop']);
    } finally {
      await daemon.stop();
      await dir.remove();
    }
  });
});
