// Programs loaded into the real kernel and run with BPF_PROG_TEST_RUN.
import { afterAll, expect, it } from 'vitest';
import { add64, assemble, dump, exit, ja, jeq, jgt, label, ldx, mov64, type ProgramItem, R0, R1, R2, R3, R6 } from '../../../bpf/asm/index.ts';
import { BpfError } from '../../../bpf/errors.ts';
import { SK_BUFF_SIZE, SkBuff, TcAct, Tcx } from '../../../bpf/kernel/constants.ts';
import { type BpfProgram, loadProgram } from '../../../bpf/kernel/program.ts';
import { testRun } from '../../../bpf/kernel/testrun.ts';
import { describeIf, NEEDS_KERNEL_BPF } from '../../support/needs.ts';
import { ethIpv4, kernelAvailable } from './harness.ts';

const loaded: BpfProgram[] = [];
const load = (...args: Parameters<typeof loadProgram>): BpfProgram => {
  const p = loadProgram(...args);
  loaded.push(p);
  return p;
};
afterAll(() => {
  for (const p of loaded) p.close();
});

describeIf(kernelAvailable(), NEEDS_KERNEL_BPF)('programs in the kernel', () => {
  const packet = ethIpv4({ protocol: 17, dport: 53 });

  it('runs a program returning TC_ACT_SHOT and one returning TC_ACT_OK', () => {
    const shot = load({ name: 'test_shot', instructions: [mov64.imm(R0, TcAct.SHOT), exit()] });
    const ok = load({ name: 'test_ok', instructions: [mov64.imm(R0, TcAct.OK), exit()] });
    expect(testRun(shot, { data: packet }).retval).toBe(TcAct.SHOT);
    const result = testRun(ok, { data: packet });
    expect(result.retval).toBe(TcAct.OK);
    expect(result.dataOut).toEqual(packet);
  });

  it('reports a negative verdict as signed (TCX_NEXT)', () => {
    const next = load({ name: 'test_next', instructions: [mov64.imm(R0, Tcx.NEXT), exit()] });
    expect(testRun(next, { data: packet }).retval).toBe(-1);
  });

  it('reads a packet byte after a bounds check', () => {
    // Drop UDP, pass everything else: reads the IPv4 protocol byte at offset 14 + 9.
    const program = assemble([
      ldx.w(R2, R1, SkBuff.data),
      ldx.w(R3, R1, SkBuff.data_end),
      mov64.reg(R6, R2),
      add64.imm(R6, 14 + 20 + 4), // end of the L4 ports
      jgt.reg(R6, R3, 'pass'), // too short: the verifier insists on this check
      ldx.b(R6, R2, 14 + 9),
      jeq.imm(R6, 17, 'drop'),
      label('pass'),
      mov64.imm(R0, TcAct.OK),
      exit(),
      label('drop'),
      mov64.imm(R0, TcAct.SHOT),
      exit(),
    ]);
    const p = load({ name: 'test_udp_drop', instructions: program });
    expect(testRun(p, { data: ethIpv4({ protocol: 17 }) }).retval).toBe(TcAct.SHOT);
    expect(testRun(p, { data: ethIpv4({ protocol: 6 }) }).retval).toBe(TcAct.OK);
    expect(testRun(p, { data: ethIpv4({ protocol: 132 }) }).retval).toBe(TcAct.OK); // SCTP, crafted
    // Truncated after the IPv4 header. (Linux 6.18 refuses IPv4 test input shorter than 34 bytes.)
    expect(testRun(p, { data: packet.subarray(0, 34) }).retval).toBe(TcAct.OK);
  });

  it('passes the __sk_buff context in and out', () => {
    // Return skb->mark as the verdict.
    const p = load({ name: 'test_mark', instructions: [ldx.w(R0, R1, SkBuff.mark), exit()] });
    const ctx = Buffer.alloc(SK_BUFF_SIZE);
    ctx.writeUInt32LE(7, SkBuff.mark);
    const result = testRun(p, { data: packet, ctxIn: ctx });
    expect(result.retval).toBe(7);
    expect(result.ctxOut?.readUInt32LE(SkBuff.mark)).toBe(7);
  });

  it('returns the verifier log in the error when the verifier rejects a program', () => {
    // Reads the packet without checking data_end.
    const bad = [ldx.w(R2, R1, SkBuff.data), ldx.b(R0, R2, 23), exit()];
    let error: unknown;
    try {
      load({ name: 'test_unchecked', instructions: bad });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BpfError);
    const e = error as BpfError;
    expect(e.code).toBe('VERIFIER_REJECTED');
    expect(e.errno).toBe(13); // EACCES
    expect(e.verifierLog).toMatch(/invalid access to packet/);
    expect(e.message).toMatch(/invalid access to packet, off=23 size=1.*; R2 offset is outside of the packet/);
  });

  it('rejects a program that does not set R0', () => {
    expect(() => load({ name: 'test_no_r0', instructions: [exit()] })).toThrow(
      expect.objectContaining({ code: 'VERIFIER_REJECTED', verifierLog: expect.stringMatching(/R0 !read_ok/) }),
    );
  });

  it('keeps the verifier log of a successful load when asked', () => {
    const p = load({ name: 'test_logged', logLevel: 2, instructions: [mov64.imm(R0, 0), exit()] });
    expect(p.verifierLog).toMatch(/processed 2 insns/);
  });

  it('loads and runs a program with jumps beyond the 16-bit offset range', () => {
    const FILLER = 40_000;
    const nop = mov64.imm(R3, 0); // the verifier refuses reads of never-written registers
    const filler = new Array<ProgramItem>(FILLER).fill(nop);
    const program = assemble([
      ldx.w(R2, R1, SkBuff.len),
      jgt.imm(R2, 100, 'big'), // conditional long jump over the first filler
      ...filler,
      mov64.imm(R0, TcAct.OK),
      ja('out'), // unconditional long jump over the second filler
      label('big'),
      mov64.imm(R0, TcAct.SHOT),
      ...filler,
      label('out'),
      exit(),
    ]);
    expect(program.longJumps).toBe(2);
    const p = load({ name: 'test_long_jump', instructions: program });
    expect(p.slotCount).toBe(2 * FILLER + 7);
    expect(testRun(p, { data: ethIpv4({ payload: Buffer.alloc(200) }) }).retval).toBe(TcAct.SHOT);
    expect(testRun(p, { data: ethIpv4() }).retval).toBe(TcAct.OK);
  });

  it('measures a trivial program', () => {
    const p = load({ name: 'test_speed', instructions: [mov64.imm(R0, TcAct.OK), exit()] });
    const { durationNs } = testRun(p, { data: packet, repeat: 1_000_000 });
    console.log(`trivial SCHED_CLS program: ${durationNs} ns per run (repeat 1e6)`);
    expect(durationNs).toBeGreaterThan(0);
    expect(durationNs).toBeLessThan(10_000);
  });

  it('refuses packets shorter than an Ethernet header', () => {
    const p = load({ name: 'test_short', instructions: [mov64.imm(R0, 0), exit()] });
    expect(() => testRun(p, { data: Buffer.alloc(10) })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('dumps what it loaded', () => {
    const program = assemble([mov64.imm(R0, 2), exit()]);
    expect(dump(program)).toContain('r0 = 0x2');
  });
});
