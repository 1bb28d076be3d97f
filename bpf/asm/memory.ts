// Load/store builders. Every memory builder takes (base-or-dst, value, off) in that order:
//   ldx.w(dst, src, off)   dst = *(u32 *)(src + off)
//   stx.w(dst, src, off)   *(u32 *)(dst + off) = src
//   st.w(dst, imm, off)    *(u32 *)(dst + off) = imm
//   atomicAdd.dw(dst, src, off)   lock *(u64 *)(dst + off) += src
//   atomicCmpXchg.dw(dst, src, off)   R0 = cmpxchg(*(u64 *)(dst + off), R0, src)
// Loads zero-extend. Stores through R10 need a negative offset (the stack grows down).

import { BpfError } from '../errors.ts';
import { type Instruction, instruction, sourceRegister, toS16 } from './instruction.ts';
import { AtomicOp, Class, Mode, PseudoSrc, Size } from './opcodes.ts';
import type { Register } from './registers.ts';

type SizeName = 'b' | 'h' | 'w' | 'dw';
const SIZES: Record<SizeName, number> = { b: Size.B, h: Size.H, w: Size.W, dw: Size.DW };

function bySize<T>(make: (size: number) => T): Readonly<Record<SizeName, T>> {
  return Object.freeze({ b: make(SIZES.b), h: make(SIZES.h), w: make(SIZES.w), dw: make(SIZES.dw) });
}

/** dst = *(size *)(src + off) */
export const ldx = bySize(
  (size) =>
    (dst: Register, src: Register, off: number): Instruction =>
      instruction({ opcode: Class.LDX | Mode.MEM | size, dst, src: sourceRegister(src), off: toS16(off) }),
);

/** *(size *)(dst + off) = src */
export const stx = bySize(
  (size) =>
    (dst: Register, src: Register, off: number): Instruction =>
      instruction({ opcode: Class.STX | Mode.MEM | size, dst, src: sourceRegister(src), off: toS16(off) }),
);

/** *(size *)(dst + off) = imm (for dw the s32 immediate is sign-extended) */
export const st = bySize(
  (size) =>
    (dst: Register, imm: number, off: number): Instruction =>
      instruction({ opcode: Class.ST | Mode.MEM | size, dst, imm, off: toS16(off) }),
);

function atomic(size: number, op: number) {
  return (dst: Register, src: Register, off: number): Instruction =>
    instruction({ opcode: Class.STX | Mode.ATOMIC | size, dst, src: sourceRegister(src), off: toS16(off), imm: op });
}

/**
 * lock *(size *)(dst + off) += src. Only w and dw exist (the kernel has no 8/16-bit atomics).
 * This is how per-rule packet/byte counters in shared (non-per-CPU) maps are bumped.
 */
export const atomicAdd = Object.freeze({
  w: atomic(Size.W, AtomicOp.ADD),
  dw: atomic(Size.DW, AtomicOp.ADD),
});

/** src = atomic_fetch_add((size *)(dst + off), src) */
export const atomicFetchAdd = Object.freeze({
  w: atomic(Size.W, AtomicOp.ADD | AtomicOp.FETCH),
  dw: atomic(Size.DW, AtomicOp.ADD | AtomicOp.FETCH),
});

/**
 * R0 = atomic_cmpxchg((size *)(dst + off), R0, src): when the memory holds R0 it becomes src; R0
 * always receives the value the memory held. The expected value is implicitly R0 (the instruction
 * has no field for a third register), so load it there first.
 */
export const atomicCmpXchg = Object.freeze({
  w: atomic(Size.W, AtomicOp.CMPXCHG),
  dw: atomic(Size.DW, AtomicOp.CMPXCHG),
});

const LD_IMM64 = Class.LD | Mode.IMM | Size.DW;
const U64_MAX = (1n << 64n) - 1n;
const S64_MIN = -(1n << 63n);

function split64(value: bigint): { imm: number; next: number } {
  if (value < S64_MIN || value > U64_MAX) {
    throw new BpfError('OPERAND_OUT_OF_RANGE', `constant ${value} does not fit in 64 bits`);
  }
  const bits = BigInt.asUintN(64, value);
  return {
    imm: Number(BigInt.asIntN(32, bits & 0xffff_ffffn)),
    next: Number(BigInt.asIntN(32, bits >> 32n)),
  };
}

/** Wide (two-slot) loads. */
export const ld = Object.freeze({
  /** dst = value (any 64-bit constant; signed or unsigned spelling) */
  imm64: (dst: Register, value: bigint | number): Instruction => instruction({ opcode: LD_IMM64, dst, ...split64(BigInt(value)) }),
  /** dst = pointer to the map with this fd (the kernel swaps the fd for the map at load time) */
  mapFd: (dst: Register, fd: number): Instruction => instruction({ opcode: LD_IMM64, dst, src: PseudoSrc.MAP_FD, imm: fd, next: 0 }),
  /**
   * dst = pointer to byte `offset` of value 0 of an array map (BPF_PSEUDO_MAP_VALUE): direct
   * access to global data without a lookup call.
   */
  mapValue: (dst: Register, fd: number, offset = 0): Instruction => instruction({ opcode: LD_IMM64, dst, src: PseudoSrc.MAP_VALUE, imm: fd, next: offset }),
});
