// Builder output versus bytes written by hand from the instruction-set specification
// (RFC 9669: opcode byte, then src<<4|dst, then s16 offset, then s32 immediate, little-endian).
import { describe, expect, it } from 'vitest';
import {
  add32,
  add64,
  and32,
  and64,
  arsh32,
  arsh64,
  atomicAdd,
  atomicCmpXchg,
  atomicFetchAdd,
  bswap,
  call,
  div32,
  div64,
  encodeInstruction,
  end,
  exit,
  formatInstruction,
  type Instruction,
  ld,
  ldx,
  lsh32,
  lsh64,
  mod32,
  mod64,
  mov32,
  mov64,
  mul32,
  mul64,
  neg32,
  neg64,
  or32,
  or64,
  R0,
  R1,
  R2,
  R3,
  R4,
  R5,
  R7,
  R10,
  rsh32,
  rsh64,
  st,
  stx,
  sub32,
  sub64,
  xor32,
  xor64,
} from '../../../bpf/asm/index.ts';
import { BpfError } from '../../../bpf/errors.ts';
import { Helper } from '../../../bpf/kernel/constants.ts';

const hex = (insn: Instruction): string =>
  encodeInstruction(insn)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');

const table: [string, Instruction, string][] = [
  // ALU64, immediate: class 0x07 | op
  ['mov64.imm', mov64.imm(R0, 2), 'b7 00 00 00 02 00 00 00'],
  ['add64.imm', add64.imm(R1, 4), '07 01 00 00 04 00 00 00'],
  ['sub64.imm', sub64.imm(R2, 1), '17 02 00 00 01 00 00 00'],
  ['mul64.imm', mul64.imm(R3, 10), '27 03 00 00 0a 00 00 00'],
  ['div64.imm', div64.imm(R3, 3), '37 03 00 00 03 00 00 00'],
  ['or64.imm', or64.imm(R1, 0x100), '47 01 00 00 00 01 00 00'],
  ['and64.imm', and64.imm(R1, 0xffff), '57 01 00 00 ff ff 00 00'],
  ['lsh64.imm', lsh64.imm(R1, 32), '67 01 00 00 20 00 00 00'],
  ['rsh64.imm', rsh64.imm(R1, 32), '77 01 00 00 20 00 00 00'],
  ['mod64.imm', mod64.imm(R4, 7), '97 04 00 00 07 00 00 00'],
  ['xor64.imm', xor64.imm(R5, -1), 'a7 05 00 00 ff ff ff ff'],
  ['arsh64.imm', arsh64.imm(R1, 3), 'c7 01 00 00 03 00 00 00'],
  // ALU64, register: class 0x07 | 0x08 | op; byte 1 = src << 4 | dst
  ['mov64.reg', mov64.reg(R1, R2), 'bf 21 00 00 00 00 00 00'],
  ['add64.reg', add64.reg(R3, R10), '0f a3 00 00 00 00 00 00'],
  ['sub64.reg', sub64.reg(R1, R2), '1f 21 00 00 00 00 00 00'],
  ['mul64.reg', mul64.reg(R1, R2), '2f 21 00 00 00 00 00 00'],
  ['div64.reg', div64.reg(R1, R2), '3f 21 00 00 00 00 00 00'],
  ['or64.reg', or64.reg(R4, R5), '4f 54 00 00 00 00 00 00'],
  ['and64.reg', and64.reg(R1, R2), '5f 21 00 00 00 00 00 00'],
  ['lsh64.reg', lsh64.reg(R1, R2), '6f 21 00 00 00 00 00 00'],
  ['rsh64.reg', rsh64.reg(R1, R2), '7f 21 00 00 00 00 00 00'],
  ['mod64.reg', mod64.reg(R1, R2), '9f 21 00 00 00 00 00 00'],
  ['xor64.reg', xor64.reg(R0, R0), 'af 00 00 00 00 00 00 00'],
  ['arsh64.reg', arsh64.reg(R1, R2), 'cf 21 00 00 00 00 00 00'],
  ['neg64', neg64(R1), '87 01 00 00 00 00 00 00'],
  // ALU (32-bit): class 0x04
  ['mov32.imm -1', mov32.imm(R1, -1), 'b4 01 00 00 ff ff ff ff'],
  ['mov32.imm 0xffffffff', mov32.imm(R1, 0xffffffff), 'b4 01 00 00 ff ff ff ff'],
  ['mov32.reg', mov32.reg(R1, R2), 'bc 21 00 00 00 00 00 00'],
  ['add32.imm', add32.imm(R1, 1), '04 01 00 00 01 00 00 00'],
  ['add32.reg', add32.reg(R1, R2), '0c 21 00 00 00 00 00 00'],
  ['sub32.imm', sub32.imm(R1, 1), '14 01 00 00 01 00 00 00'],
  ['mul32.imm', mul32.imm(R1, 2), '24 01 00 00 02 00 00 00'],
  ['div32.imm', div32.imm(R1, 2), '34 01 00 00 02 00 00 00'],
  ['or32.reg', or32.reg(R1, R2), '4c 21 00 00 00 00 00 00'],
  ['and32.imm', and32.imm(R2, 0xff), '54 02 00 00 ff 00 00 00'],
  ['lsh32.imm', lsh32.imm(R1, 8), '64 01 00 00 08 00 00 00'],
  ['rsh32.reg', rsh32.reg(R1, R2), '7c 21 00 00 00 00 00 00'],
  ['mod32.reg', mod32.reg(R1, R2), '9c 21 00 00 00 00 00 00'],
  ['xor32.imm', xor32.imm(R1, 1), 'a4 01 00 00 01 00 00 00'],
  ['arsh32.imm', arsh32.imm(R1, 1), 'c4 01 00 00 01 00 00 00'],
  ['neg32', neg32(R2), '84 02 00 00 00 00 00 00'],
  // byte swaps: ALU | END | TO_BE (0xdc) / TO_LE (0xd4), imm = width; ALU64 | END = bswap (0xd7)
  ['end.toBe 16', end.toBe(R1, 16), 'dc 01 00 00 10 00 00 00'],
  ['end.toBe 32', end.toBe(R1, 32), 'dc 01 00 00 20 00 00 00'],
  ['end.toLe 64', end.toLe(R2, 64), 'd4 02 00 00 40 00 00 00'],
  ['bswap 16', bswap(R3, 16), 'd7 03 00 00 10 00 00 00'],
  // loads: LDX | MEM | size (W 0x00, H 0x08, B 0x10, DW 0x18)
  ['ldx.b', ldx.b(R2, R1, 12), '71 12 0c 00 00 00 00 00'],
  ['ldx.h', ldx.h(R2, R1, 12), '69 12 0c 00 00 00 00 00'],
  ['ldx.w', ldx.w(R0, R1, 76), '61 10 4c 00 00 00 00 00'],
  ['ldx.dw', ldx.dw(R3, R10, -8), '79 a3 f8 ff 00 00 00 00'],
  // stores from register: STX | MEM | size; dst is the base
  ['stx.b', stx.b(R1, R2, 0), '73 21 00 00 00 00 00 00'],
  ['stx.h', stx.h(R1, R2, 2), '6b 21 02 00 00 00 00 00'],
  ['stx.w', stx.w(R10, R1, -4), '63 1a fc ff 00 00 00 00'],
  ['stx.dw', stx.dw(R10, R2, -16), '7b 2a f0 ff 00 00 00 00'],
  // stores of an immediate: ST | MEM | size
  ['st.b', st.b(R10, 1, -1), '72 0a ff ff 01 00 00 00'],
  ['st.h', st.h(R10, 0x1234, -2), '6a 0a fe ff 34 12 00 00'],
  ['st.w', st.w(R10, 7, -4), '62 0a fc ff 07 00 00 00'],
  ['st.dw', st.dw(R10, -1, -8), '7a 0a f8 ff ff ff ff ff'],
  // atomics: STX | ATOMIC (0xc0) | size, imm = operation (ADD 0x00, FETCH 0x01)
  ['atomicAdd.dw', atomicAdd.dw(R0, R1, 8), 'db 10 08 00 00 00 00 00'],
  ['atomicAdd.w', atomicAdd.w(R0, R1, 0), 'c3 10 00 00 00 00 00 00'],
  ['atomicFetchAdd.dw', atomicFetchAdd.dw(R0, R1, 0), 'db 10 00 00 01 00 00 00'],
  // CMPXCHG = 0xf0 | FETCH: expected value in R0, new value in src (the kernel's BPF_CMPXCHG, imm 0xf1)
  ['atomicCmpXchg.dw', atomicCmpXchg.dw(R7, R4, 0), 'db 47 00 00 f1 00 00 00'],
  ['atomicCmpXchg.w', atomicCmpXchg.w(R7, R4, 8), 'c3 47 08 00 f1 00 00 00'],
  // wide loads: LD | IMM | DW (0x18), second slot holds the high 32 bits in its imm
  ['ld.imm64', ld.imm64(R1, 0x1122334455667788n), '18 01 00 00 88 77 66 55 00 00 00 00 44 33 22 11'],
  ['ld.imm64 -1', ld.imm64(R2, -1n), '18 02 00 00 ff ff ff ff 00 00 00 00 ff ff ff ff'],
  ['ld.imm64 u64 max', ld.imm64(R2, 0xffffffffffffffffn), '18 02 00 00 ff ff ff ff 00 00 00 00 ff ff ff ff'],
  ['ld.imm64 number', ld.imm64(R3, 5), '18 03 00 00 05 00 00 00 00 00 00 00 00 00 00 00'],
  ['ld.mapFd (src=1)', ld.mapFd(R1, 5), '18 11 00 00 05 00 00 00 00 00 00 00 00 00 00 00'],
  ['ld.mapValue (src=2)', ld.mapValue(R1, 5, 16), '18 21 00 00 05 00 00 00 00 00 00 00 10 00 00 00'],
  // calls and exit: JMP | CALL (0x85), JMP | EXIT (0x95)
  ['call map_lookup_elem', call(Helper.map_lookup_elem), '85 00 00 00 01 00 00 00'],
  ['call ringbuf_reserve', call(Helper.ringbuf_reserve), '85 00 00 00 83 00 00 00'],
  ['exit', exit(), '95 00 00 00 00 00 00 00'],
];

describe('instruction encoding', () => {
  it.each(table)('%s', (_name, insn, expected) => {
    expect(hex(insn)).toBe(expected);
  });

  it('instructions are immutable values', () => {
    const insn = mov64.imm(R0, 2);
    expect(Object.isFrozen(insn)).toBe(true);
    expect(() => {
      (insn as { imm: number }).imm = 3;
    }).toThrow();
  });

  it.each([
    ['offset beyond s16', () => ldx.w(R0, R1, 40000)],
    ['immediate beyond 32 bits', () => mov64.imm(R0, 2 ** 32)],
    ['fractional immediate', () => mov64.imm(R0, 1.5)],
    ['register r11', () => mov64.reg(R0, 11 as never)],
    ['constant beyond 64 bits', () => ld.imm64(R0, 1n << 64n)],
    ['swap width 8', () => end.toBe(R0, 8 as never)],
  ])('rejects %s with OPERAND_OUT_OF_RANGE', (_name, build) => {
    expect(build).toThrow(BpfError);
    try {
      build();
    } catch (error) {
      expect((error as BpfError).code).toBe('OPERAND_OUT_OF_RANGE');
    }
  });

  it('refuses to encode a jump that was never assembled', () => {
    expect(() => encodeInstruction({ ...exit(), opcode: 0x05, target: 'x' })).toThrow(/unresolved/);
  });
});

describe('atomic compare-and-exchange in the debug dump', () => {
  it('names the implicit R0 operand', () => {
    expect(formatInstruction(atomicCmpXchg.dw(R7, R4, 0))).toBe('r0 = cmpxchg(*(u64 *)(r7 + 0), r0, r4)');
    expect(formatInstruction(atomicCmpXchg.w(R7, R4, 8))).toBe('w0 = cmpxchg(*(u32 *)(r7 + 8), w0, w4)');
  });
});
