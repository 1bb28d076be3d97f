import { describe, expect, it } from 'vitest';
import {
  type AssembledProgram,
  assemble,
  dump,
  exit,
  type JumpBuilder,
  ja,
  jeq,
  jeq32,
  jge,
  jge32,
  jgt,
  jgt32,
  jle,
  jle32,
  jlt,
  jlt32,
  jne,
  jne32,
  jset,
  jset32,
  jsge,
  jsge32,
  jsgt,
  jsgt32,
  jsle,
  jsle32,
  jslt,
  jslt32,
  label,
  ld,
  ldx,
  mov64,
  note,
  type ProgramItem,
  R0,
  R1,
  R2,
  R3,
  withComment,
} from '../../../bpf/asm/index.ts';
import { BpfError } from '../../../bpf/errors.ts';

const hexOf = (program: AssembledProgram, slot: number): string =>
  program.bytes
    .subarray(slot * 8, slot * 8 + 8)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');

// Conditional jumps: JMP (0x05) or JMP32 (0x06) | source (K 0x00, X 0x08) | op.
const jumps: [string, JumpBuilder, number][] = [
  ['jeq', jeq, 0x15],
  ['jgt', jgt, 0x25],
  ['jge', jge, 0x35],
  ['jset', jset, 0x45],
  ['jne', jne, 0x55],
  ['jsgt', jsgt, 0x65],
  ['jsge', jsge, 0x75],
  ['jlt', jlt, 0xa5],
  ['jle', jle, 0xb5],
  ['jslt', jslt, 0xc5],
  ['jsle', jsle, 0xd5],
  ['jeq32', jeq32, 0x16],
  ['jgt32', jgt32, 0x26],
  ['jge32', jge32, 0x36],
  ['jset32', jset32, 0x46],
  ['jne32', jne32, 0x56],
  ['jsgt32', jsgt32, 0x66],
  ['jsge32', jsge32, 0x76],
  ['jlt32', jlt32, 0xa6],
  ['jle32', jle32, 0xb6],
  ['jslt32', jslt32, 0xc6],
  ['jsle32', jsle32, 0xd6],
];

describe('jump encoding', () => {
  it.each(jumps)('%s.imm and .reg', (_name, builder, opcode) => {
    const withImm = assemble([builder.imm(R1, 0x0800, 'out'), mov64.imm(R0, 0), label('out'), exit()]);
    const h = (n: number) => n.toString(16).padStart(2, '0');
    expect(hexOf(withImm, 0)).toBe(`${h(opcode)} 01 01 00 00 08 00 00`);
    const withReg = assemble([builder.reg(R2, R3, 'out'), mov64.imm(R0, 0), label('out'), exit()]);
    expect(hexOf(withReg, 0)).toBe(`${h(opcode | 0x08)} 32 01 00 00 00 00 00`);
  });

  it('ja forward and backward', () => {
    const p = assemble([label('top'), ja('end'), mov64.imm(R0, 1), ja('top'), label('end'), exit()]);
    expect(hexOf(p, 0)).toBe('05 00 02 00 00 00 00 00');
    expect(hexOf(p, 2)).toBe('05 00 fd ff 00 00 00 00');
  });

  it('counts ld_imm64 as two slots', () => {
    const p = assemble([jeq.imm(R1, 0, 'after'), ld.imm64(R2, 1n), label('after'), exit()]);
    expect(p.slotCount).toBe(4);
    expect(p.labels.get('after')).toBe(3);
    expect(hexOf(p, 0)).toBe('15 01 02 00 00 00 00 00');
  });
});

describe('labels', () => {
  it('throws LABEL_MISSING for a jump to an undefined label', () => {
    expect(() => assemble([jeq.imm(R1, 0, 'nowhere'), exit()])).toThrow(expect.objectContaining({ code: 'LABEL_MISSING' }));
  });

  it('throws LABEL_DUPLICATE for a label defined twice', () => {
    expect(() => assemble([label('a'), exit(), label('a'), exit()])).toThrow(expect.objectContaining({ code: 'LABEL_DUPLICATE' }));
  });

  it('accepts nested fragments', () => {
    const fragment = [mov64.imm(R0, 1), [ja('end')]];
    const p = assemble([fragment, label('end'), exit()]);
    expect(p.slotCount).toBe(3);
  });

  it('rejects a target on something that is not a jump', () => {
    expect(() => assemble([{ ...mov64.imm(R0, 1), target: 'x' }, label('x'), exit()])).toThrow(BpfError);
  });
});

// ---- long jumps: checked by executing the control flow -------------------------------------

/** Executes mov64.imm/reg, conditional jumps against immediates, ja, gotol and exit; returns r0. */
function run(program: AssembledProgram, regs: Record<number, bigint>): bigint {
  const r = new Map<number, bigint>(Object.entries(regs).map(([k, v]) => [Number(k), v]));
  const bySlot = new Map(program.listing.flatMap((l) => (l.kind === 'insn' ? [[l.slot, l.insn] as const] : [])));
  let pc = 0;
  for (let steps = 0; steps < 1_000_000; steps++) {
    const insn = bySlot.get(pc);
    if (!insn) throw new Error(`fell off at slot ${pc}`);
    const op = insn.opcode;
    const cls = op & 7;
    if (op === 0x95) return r.get(0) ?? 0n;
    if (op === 0xb7) {
      r.set(insn.dst, BigInt(insn.imm));
      pc++;
      continue;
    }
    if (op === 0xbf) {
      r.set(insn.dst, r.get(insn.src) ?? 0n);
      pc++;
      continue;
    }
    if (op === 0x05) {
      pc += 1 + insn.off;
      continue;
    }
    if (op === 0x06) {
      pc += 1 + insn.imm;
      continue;
    }
    if ((cls === 5 || cls === 6) && (op & 0x08) === 0) {
      const bits = cls === 5 ? 64 : 32;
      const a = BigInt.asUintN(bits, r.get(insn.dst) ?? 0n);
      const b = BigInt.asUintN(bits, BigInt(insn.imm));
      const sa = BigInt.asIntN(bits, a);
      const sb = BigInt.asIntN(bits, b);
      const taken = (
        {
          16: a === b,
          80: a !== b,
          32: a > b,
          48: a >= b,
          160: a < b,
          176: a <= b,
          64: (a & b) !== 0n,
          96: sa > sb,
          112: sa >= sb,
          192: sa < sb,
          208: sa <= sb,
        } as Record<number, boolean>
      )[op & 0xf0];
      if (taken === undefined) throw new Error(`unsupported jump ${op.toString(16)}`);
      pc += 1 + (taken ? insn.off : 0);
      continue;
    }
    throw new Error(`unsupported opcode ${op.toString(16)}`);
  }
  throw new Error('too many steps');
}

const NOP = mov64.reg(R3, R3); // one immutable value can appear many times
const filler = (n: number): ProgramItem[] => new Array<ProgramItem>(n).fill(NOP);

describe('long jumps', () => {
  const FAR = 40_000; // beyond the s16 offset range

  it.each([
    ['jeq', jeq, 7n, 7n, 6n],
    ['jne', jne, 7n, 6n, 7n],
    ['jgt', jgt, 7n, 8n, 7n],
    ['jge', jge, 7n, 7n, 6n],
    ['jlt', jlt, 7n, 6n, 7n],
    ['jle', jle, 7n, 7n, 8n],
    ['jsgt', jsgt, -2n, -1n, -2n],
    ['jsge', jsge, -2n, -2n, -3n],
    ['jslt', jslt, -2n, -3n, -2n],
    ['jsle', jsle, -2n, -2n, -1n],
    ['jset', jset, 4n, 6n, 3n],
    ['jeq32', jeq32, 7n, 0x1_0000_0007n, 8n],
  ] as const)('%s beyond 32767 slots keeps its meaning', (_name, builder, imm, takenValue, notTakenValue) => {
    const p = assemble([
      builder.imm(R1, Number(imm), 'far'),
      mov64.imm(R0, 1), // fall-through result
      ja('out'),
      ...filler(FAR),
      label('far'),
      mov64.imm(R0, 2), // jump result
      label('out'),
      exit(),
    ]);
    expect(p.longJumps).toBe(2); // the conditional and the `ja out` over the filler
    expect(run(p, { 1: takenValue })).toBe(2n);
    expect(run(p, { 1: notTakenValue })).toBe(1n);
  });

  it('uses the inverted condition plus gotol (two slots), jset uses three', () => {
    const p = assemble([jeq.imm(R1, 1, 'far'), ...filler(FAR), label('far'), exit()]);
    expect(hexOf(p, 0)).toBe('55 01 01 00 01 00 00 00'); // jne r1, 1, +1
    expect(p.bytes.readUInt8(8)).toBe(0x06); // JMP32 | JA
    expect(p.bytes.readInt32LE(12)).toBe(FAR);
    const s = assemble([jset.imm(R1, 1, 'far'), ...filler(FAR), label('far'), exit()]);
    expect(hexOf(s, 0)).toBe('45 01 01 00 01 00 00 00'); // jset +1 -> gotol
    expect(hexOf(s, 1)).toBe('05 00 01 00 00 00 00 00'); // ja +1 -> past gotol
    expect(s.bytes.readInt32LE(2 * 8 + 4)).toBe(FAR);
  });

  it('handles far backward jumps', () => {
    const p = assemble([
      mov64.imm(R0, 0),
      label('top'),
      jeq.imm(R0, 5, 'done'), // short: skips to exit
      mov64.imm(R0, 5),
      ...filler(FAR),
      ja('top'),
      label('done'),
      exit(),
    ]);
    expect(p.longJumps).toBe(2);
    expect(run(p, {})).toBe(5n);
  });

  it('re-checks jumps pushed out of range by another rewrite', () => {
    // `a` reaches `x` with offset 32767 until `b` grows by one slot in between.
    const p = assemble([
      jeq.imm(R1, 1, 'x'), // a
      jeq.imm(R1, 2, 'far'), // b
      ...filler(32766),
      label('x'),
      mov64.imm(R0, 10),
      exit(),
      ...filler(FAR),
      label('far'),
      mov64.imm(R0, 20),
      exit(),
    ]);
    expect(p.longJumps).toBe(2);
    expect(run(p, { 1: 1n })).toBe(10n);
    expect(run(p, { 1: 2n })).toBe(20n);
  });

  it('throws PROGRAM_TOO_LARGE past the kernel limit', () => {
    expect(() => assemble([...filler(1_000_001), exit()])).toThrow(expect.objectContaining({ code: 'PROGRAM_TOO_LARGE' }));
  });
});

describe('debug dump', () => {
  it('prints slots, labels, notes, targets and comments', () => {
    const p = assemble([
      note('rule 3: allow udp/53'),
      ldx.w(R2, R1, 0),
      withComment(jne.imm(R2, 53, 'rule_3_no_match'), 'dport'),
      mov64.imm(R0, 0),
      exit(),
      label('rule_3_no_match'),
      ld.mapFd(R1, 9),
      mov64.imm(R0, 2),
      exit(),
    ]);
    expect(dump(p).split('\n')).toEqual([
      '; rule 3: allow udp/53',
      '  0: 61 12 00 00 00 00 00 00 r2 = *(u32 *)(r1 + 0)',
      '  1: 55 02 02 00 35 00 00 00 if r2 != 0x35 goto +2 <rule_3_no_match> ; dport',
      '  2: b7 00 00 00 00 00 00 00 r0 = 0x0',
      '  3: 95 00 00 00 00 00 00 00 exit',
      'rule_3_no_match:',
      '  4: 18 11 00 00 09 00 00 00 r1 = map[fd:9]',
      '  6: b7 00 00 00 02 00 00 00 r0 = 0x2',
      '  7: 95 00 00 00 00 00 00 00 exit',
    ]);
  });
});
