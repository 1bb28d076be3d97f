// Flow events: a program writes into a BPF ring buffer, TypeScript consumes them.
import { afterAll, expect, it } from 'vitest';
import { add64, call, exit, jeq, label, ld, ldx, mov64, R0, R1, R2, R3, R4, R6, R7, R10, st, stx } from '../../../bpf/asm/index.ts';
import { Helper, MapType, SkBuff, TcAct } from '../../../bpf/kernel/constants.ts';
import { createMap } from '../../../bpf/kernel/map.ts';
import { loadProgram } from '../../../bpf/kernel/program.ts';
import { RingBufferReader } from '../../../bpf/kernel/ringbuf.ts';
import { testRun } from '../../../bpf/kernel/testrun.ts';
import { defineLayout } from '../../../bpf/maps/layout.ts';
import { describeIf, NEEDS_KERNEL_BPF } from '../../support/needs.ts';
import { ethIpv4, kernelAvailable } from './harness.ts';

const Event = defineLayout('test_event', {
  size: 16,
  fields: [
    { name: 'len', type: 'u32' },
    { name: 'magic', type: 'u32' },
    { name: 'ts', type: 'u64' },
  ],
});

describeIf(kernelAvailable(), NEEDS_KERNEL_BPF)('ring buffer', () => {
  const cleanup: (() => void)[] = [];
  afterAll(() => {
    for (const f of cleanup.reverse()) f();
  });

  const setup = (ringBytes = 64 * 1024) => {
    const ring = createMap({ type: MapType.RINGBUF, name: 'test_ring', keySize: 0, valueSize: 0, maxEntries: ringBytes });
    cleanup.push(() => ring.close());
    // reserve + fill + submit: the event is written in place, no copy through the stack
    const program = loadProgram({
      name: 'test_ring_emit',
      instructions: [
        mov64.reg(R6, R1), // keep ctx: R1-R5 are clobbered by calls
        ld.mapFd(R1, ring.fd),
        mov64.imm(R2, Event.size),
        mov64.imm(R3, 0),
        call(Helper.ringbuf_reserve),
        jeq.imm(R0, 0, 'out'), // ring full: a real program counts the loss
        mov64.reg(R7, R0),
        ldx.w(R2, R6, SkBuff.len),
        stx.w(R7, R2, Event.offsetOf('len')),
        st.w(R7, 0xabcd, Event.offsetOf('magic')),
        call(Helper.ktime_get_ns),
        stx.dw(R7, R0, Event.offsetOf('ts')),
        mov64.reg(R1, R7),
        mov64.imm(R2, 0),
        call(Helper.ringbuf_submit),
        label('out'),
        mov64.imm(R0, TcAct.OK),
        exit(),
      ],
    });
    cleanup.push(() => program.close());
    // ringbuf_output: copies an event built on the stack
    const viaOutput = loadProgram({
      name: 'test_ring_out',
      instructions: [
        st.w(R10, 42, -16),
        st.w(R10, 0x1234, -12),
        st.dw(R10, 7, -8),
        ld.mapFd(R1, ring.fd),
        mov64.reg(R2, R10),
        add64.imm(R2, -16),
        mov64.imm(R3, Event.size),
        mov64.imm(R4, 0),
        call(Helper.ringbuf_output),
        mov64.imm(R0, TcAct.OK),
        exit(),
      ],
    });
    cleanup.push(() => viaOutput.close());
    return { ring, program, viaOutput };
  };

  it('delivers events written by a program to TypeScript', () => {
    const { ring, program, viaOutput } = setup();
    const events: ReturnType<typeof Event.decode>[] = [];
    const reader = new RingBufferReader(ring, (bytes) => events.push(Event.decode(bytes)));
    cleanup.push(() => reader.close());
    const packet = ethIpv4({ payload: Buffer.alloc(10) });
    testRun(program, { data: packet, repeat: 3 });
    testRun(viaOutput, { data: packet });
    expect(reader.consume()).toBe(4);
    expect(events.slice(0, 3).map((e) => [e.len, e.magic])).toEqual(Array(3).fill([packet.length, 0xabcd]));
    expect(events[0]!.ts).toBeGreaterThan(0n);
    expect(events[3]).toEqual({ len: 42, magic: 0x1234, ts: 7n });
    expect(reader.consume()).toBe(0);
  });

  it('drains on a timer from the event loop', async () => {
    const { ring, program } = setup();
    let seen = 0;
    const reader = new RingBufferReader(ring, () => seen++);
    cleanup.push(() => reader.close());
    reader.start(10);
    testRun(program, { data: ethIpv4(), repeat: 100 });
    const deadline = Date.now() + 2000;
    while (seen < 100 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(seen).toBe(100);
  });

  it('rethrows an error from the handler out of consume', () => {
    const { ring, program } = setup();
    const reader = new RingBufferReader(ring, () => {
      throw new Error('handler broke');
    });
    cleanup.push(() => reader.close());
    testRun(program, { data: ethIpv4() });
    expect(() => reader.consume()).toThrow('handler broke');
  });

  it('keeps every event in order while the positions wrap around the ring many times', () => {
    // 4 KiB of ring, 24 bytes a record: records straddle the ring's end, read through the second mapping
    const { ring, viaOutput } = setup(4096);
    const events: ReturnType<typeof Event.decode>[] = [];
    const reader = new RingBufferReader(ring, (bytes) => events.push(Event.decode(bytes)));
    cleanup.push(() => reader.close());
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 100; i++) testRun(viaOutput, { data: ethIpv4() });
      expect(reader.consume()).toBe(100);
    }
    expect(events).toHaveLength(2000);
    expect(events.every((e) => e.len === 42 && e.magic === 0x1234 && e.ts === 7n)).toBe(true);
  });

  it('keeps reading once the positions pass 2^32 bytes', () => {
    // 1 MiB records reserved and submitted as they are (contents not written): 4,101 of them move
    // the positions past 2^32, beyond what a u32 holds
    const ring = createMap({ type: MapType.RINGBUF, name: 'test_ring_big', keySize: 0, valueSize: 0, maxEntries: 4 * 1024 * 1024 });
    cleanup.push(() => ring.close());
    const recordBytes = 1024 * 1024 - 8;
    const program = loadProgram({
      name: 'test_ring_big',
      instructions: [
        ld.mapFd(R1, ring.fd),
        mov64.imm(R2, recordBytes),
        mov64.imm(R3, 0),
        call(Helper.ringbuf_reserve),
        jeq.imm(R0, 0, 'out'),
        mov64.reg(R1, R0),
        mov64.imm(R2, 0),
        call(Helper.ringbuf_submit),
        label('out'),
        mov64.imm(R0, TcAct.OK),
        exit(),
      ],
    });
    cleanup.push(() => program.close());
    const sizes: number[] = [];
    const reader = new RingBufferReader(ring, (bytes) => sizes.push(bytes.length));
    cleanup.push(() => reader.close());
    let consumed = 0;
    for (let round = 0; round < 1367; round++) {
      testRun(program, { data: ethIpv4(), repeat: 3 });
      consumed += reader.consume();
    }
    expect(consumed).toBe(4101);
    expect(sizes.every((n) => n === recordBytes)).toBe(true);
  });
});
