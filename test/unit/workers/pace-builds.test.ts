// Bundle builds paced by their own cost (workers/bundle/pace-builds.ts), on the in-process queue the
// embedded default and the bench's worker use: a costly cluster written to without pause is rebuilt
// once per pause, however many writes arrive, and each build carries the newest change; a cheap
// cluster's builds are held up neither by a costly one's nor by their own. Time is a fake clock the builds advance.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { paceBuilds } from '../../../workers/bundle/pace-builds.ts';
import { createInProcessQueue } from '../../../workers/queue/in-process-queue.ts';

const COSTLY = 'costly-cluster';
const CHEAP = 'cheap-cluster';
const COST_MS: Record<string, number> = { [COSTLY]: 800, [CHEAP]: 5 };

/** A clock that moves only when a build runs or a pause is slept; pauses wait for `endPause`. */
function fakeTime() {
  let now = 0;
  const pauses: { ms: number; end: () => void }[] = [];
  return {
    pacing: {
      now: () => now,
      sleep: (ms: number) =>
        new Promise<void>((resolve) =>
          pauses.push({
            ms: ms,
            end: () => {
              now += ms;
              resolve();
            },
          }),
        ),
    },
    advance: (ms: number) => {
      now += ms;
    },
    pauses,
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('paced bundle builds', () => {
  it("hold a cluster's next build for as long as its last one took, and no other cluster's", async () => {
    const time = fakeTime();
    const built: string[] = [];
    const paced = paceBuilds(async (request) => {
      built.push(request.clusterId);
      time.advance(COST_MS[request.clusterId]!);
    }, time.pacing);

    await paced({ tenantId: 't', clusterId: COSTLY, outboxId: 1 });
    await paced({ tenantId: 't', clusterId: CHEAP, outboxId: 2 });
    expect(time.pauses).toEqual([]);

    const second = paced({ tenantId: 't', clusterId: COSTLY, outboxId: 3 });
    await settle();
    // 800 ms of build, 5 ms of the cheap cluster since: 795 ms left of the costly cluster's pause.
    expect(time.pauses.map((pause) => pause.ms)).toEqual([795]);
    expect(built).toEqual([COSTLY, CHEAP]);
    time.pauses[0]!.end();
    await second;
    // A build of a few milliseconds is followed by no pause at all.
    await paced({ tenantId: 't', clusterId: CHEAP, outboxId: 4 });
    expect(time.pauses).toHaveLength(1);
    expect(built).toEqual([COSTLY, CHEAP, COSTLY, CHEAP]);
  });

  it('rebuild a costly cluster written to without pause once per pause, reading every write before it', async () => {
    const time = fakeTime();
    /** The newest write committed, and the newest each build read when it started (as the builder reads the rows). */
    let committed = 0;
    const read: number[] = [];
    const queue = createInProcessQueue(
      paceBuilds(async (request) => {
        read.push(committed);
        time.advance(COST_MS[request.clusterId]!);
      }, time.pacing),
      pino({ level: 'silent' }),
    );
    const write = () => queue.enqueue({ tenantId: 't', clusterId: COSTLY, outboxId: ++committed });
    try {
      await write();
      for (let pause = 0; pause < 3; pause++) {
        // Twenty writes while the cluster's next build is paused: they fold into one waiting build.
        await settle();
        for (let index = 0; index < 20; index++) await write();
        await settle();
        expect(time.pauses).toHaveLength(pause + 1);
        expect(time.pauses[pause]!.ms).toBe(COST_MS[COSTLY]);
        time.pauses[pause]!.end();
      }
      await settle();
      time.pauses.at(-1)?.end();
      await queue.close();
      // 61 writes, five builds: the first, one after each pause reading the twenty writes made during
      // it, and the one those writes left waiting, which finds nothing newer (the builder then skips it).
      expect(read).toEqual([1, 21, 41, 61, 61]);
    } finally {
      for (const pause of time.pauses) pause.end();
      await queue.close();
    }
  });
});
