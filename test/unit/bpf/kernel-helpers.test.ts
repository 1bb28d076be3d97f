// Pure helpers of the kernel layer (no kernel calls).
import { describe, expect, it } from 'vitest';
import { HELPER_NAMES, Helper, SK_BUFF_SIZE, SkBuff } from '../../../bpf/kernel/constants.ts';
import { buildOpts, ProgLoadOpts, TestRunOpts } from '../../../bpf/kernel/opts.ts';
import { parseCpuList, perCpuStride } from '../../../bpf/kernel/percpu.ts';
import { kernelObjectName, summarizeVerifierLog } from '../../../bpf/kernel/program.ts';

describe('kernel helpers', () => {
  it('parses CPU lists as the kernel prints them', () => {
    expect(parseCpuList('0-1\n')).toBe(2);
    expect(parseCpuList('0')).toBe(1);
    expect(parseCpuList('0,2-5,7')).toBe(6);
    expect(perCpuStride(4)).toBe(8);
    expect(perCpuStride(12)).toBe(16);
  });

  it('summarises a verifier log to its reason', () => {
    const log = [
      '0: R1=ctx() R10=fp0',
      '0: (61) r2 = *(u32 *)(r1 +76)         ; R1=ctx() R2=pkt(r=0)',
      '1: (71) r0 = *(u8 *)(r2 +23)',
      'invalid access to packet, off=23 size=1, R2(id=0,off=23,r=0)',
      'R2 offset is outside of the packet',
      'processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0',
    ].join('\n');
    expect(summarizeVerifierLog(log)).toBe('invalid access to packet, off=23 size=1, R2(id=0,off=23,r=0); R2 offset is outside of the packet');
  });

  it('checks kernel object names', () => {
    expect(kernelObjectName('pod_1234567890abcdef')).toBe('pod_1234567890a');
    expect(() => kernelObjectName('bad-name')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('builds option structs with their size first', () => {
    const opts = buildOpts(ProgLoadOpts, { log_level: 1, log_size: 4096 });
    expect(opts.length).toBe(104);
    expect(opts.readBigUInt64LE(0)).toBe(104n);
    expect(opts.readUInt32LE(88)).toBe(1);
    expect(opts.readUInt32LE(92)).toBe(4096);
    expect(TestRunOpts.offsetOf('repeat')).toBe(60);
  });

  it('keeps __sk_buff offsets and helper names straight', () => {
    expect([SkBuff.len, SkBuff.mark, SkBuff.protocol, SkBuff.ifindex, SkBuff.cb, SkBuff.data, SkBuff.data_end]).toEqual([0, 8, 16, 40, 48, 76, 80]);
    expect(SkBuff.tstamp).toBe(152);
    expect(SK_BUFF_SIZE).toBe(192);
    expect(HELPER_NAMES.get(Helper.ringbuf_reserve)).toBe('ringbuf_reserve');
  });
});
