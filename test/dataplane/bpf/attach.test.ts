// Attaching to a veth in a fresh namespace and swapping programs under live UDP traffic.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { exit, mov64, R0 } from '../../../bpf/asm/index.ts';
import { type AttachKind, attachProgram, detectAttachKind, openPinnedTcx } from '../../../bpf/kernel/attach/index.ts';
import { TcAct, Tcx } from '../../../bpf/kernel/constants.ts';
import { withNetns } from '../../../bpf/kernel/netns.ts';
import { BPFFS_ROOT, ensureBpffs } from '../../../bpf/kernel/pin.ts';
import { type BpfProgram, loadProgram } from '../../../bpf/kernel/program.ts';
import { describeIf, NEEDS_KERNEL_BPF } from '../../support/needs.ts';
import { kernelAvailable, uniqueSuffix } from './harness.ts';
import { createVethPair, sleep, type VethPair } from './veth-pair.ts';

/** Time for packets already past the hook to arrive before we count. */
const SETTLE_MS = 100;
/** Window in which a drop program must let nothing through (the prober sends every 5 ms). */
const SILENCE_MS = 300;

describeIf(kernelAvailable(), NEEDS_KERNEL_BPF)('attach to a veth under traffic', () => {
  let pair: VethPair;
  const programs: BpfProgram[] = [];
  const pinDir = `${BPFFS_ROOT}/palisade-test-${uniqueSuffix()}`;
  let allow: BpfProgram;
  let drop: BpfProgram;

  beforeAll(async () => {
    pair = await createVethPair();
    // tcx verdicts (TCX_PASS 0, TCX_DROP 2) share their numbers with TC_ACT_OK / TC_ACT_SHOT, so
    // one pair of programs serves both attach kinds.
    allow = loadProgram({ name: 'test_allow', instructions: [mov64.imm(R0, Tcx.PASS), exit()] });
    drop = loadProgram({ name: 'test_drop', instructions: [mov64.imm(R0, TcAct.SHOT), exit()] });
    programs.push(allow, drop);
    await pair.waitForReplies(5); // traffic flows with nothing attached
  }, 20_000);

  afterAll(() => {
    pair?.destroy();
    for (const p of programs) p.close();
    rmSync(pinDir, { recursive: true, force: true });
  });

  const expectSilence = async (): Promise<void> => {
    await sleep(SETTLE_MS);
    const before = pair.replies();
    await sleep(SILENCE_MS);
    expect(pair.replies()).toBe(before);
  };

  it('finds tcx on this kernel', () => {
    expect(detectAttachKind()).toBe('tcx');
  });

  it.each<AttachKind>(['tcx', 'tc'])(
    '%s: allow, swap to drop, swap back, detach',
    async (kind) => {
      // ifindexes and tc's netlink calls resolve in the calling thread's namespace.
      const inB = <T>(fn: () => T): T => withNetns(pair.nsB, fn);
      const attachment = inB(() => attachProgram(allow, { ifindex: pair.ifindexB, direction: 'ingress', kind }));
      try {
        expect(attachment.kind).toBe(kind);
        expect(inB(() => attachment.programId())).toBe(allow.id());
        await pair.waitForReplies(10);

        inB(() => attachment.replace(drop));
        expect(inB(() => attachment.programId())).toBe(drop.id());
        await expectSilence();

        inB(() => attachment.replace(allow));
        await pair.waitForReplies(10);

        inB(() => attachment.replace(drop));
        await expectSilence();
      } finally {
        inB(() => attachment.detach());
      }
      await pair.waitForReplies(10); // nothing attached: traffic flows again
    },
    20_000,
  );

  it('tcx: a pinned link keeps dropping after our fd is closed, and can be taken back', async () => {
    ensureBpffs();
    const path = `${pinDir}/links/veth_ingress`;
    const attachment = withNetns(pair.nsB, () => attachProgram(drop, { ifindex: pair.ifindexB, direction: 'ingress', kind: 'tcx' }));
    attachment.pin(path);
    attachment.close(); // our fd is gone; the pin holds the link
    await expectSilence();

    const again = openPinnedTcx(path);
    expect(again.ifindex).toBe(pair.ifindexB);
    expect(again.direction).toBe('ingress');
    expect(again.programId()).toBe(drop.id());
    again.replace(allow); // link fds work from any namespace
    await pair.waitForReplies(10);
    again.detach(); // also removes the pin
    expect(() => openPinnedTcx(path)).toThrow(expect.objectContaining({ code: 'PIN_FAILED' }));
    await pair.waitForReplies(10);
  }, 20_000);

  it('an unpinned tcx link detaches when its fd closes', async () => {
    const attachment = withNetns(pair.nsB, () => attachProgram(drop, { ifindex: pair.ifindexB, direction: 'ingress', kind: 'tcx' }));
    await expectSilence();
    attachment.close();
    await pair.waitForReplies(10);
  }, 20_000);
});
