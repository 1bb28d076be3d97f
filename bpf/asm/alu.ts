// ALU builders: `add64.imm(R1, 4)`, `mov64.reg(R6, R1)`, `and32.imm(R2, 0xff)`, ...
// The *32 forms operate on the low 32 bits and zero the upper half of dst (the verifier relies
// on this to know the upper bits are 0, which is a cheap way to bound a value).

import { BpfError } from '../errors.ts';
import { type Instruction, instruction, sourceRegister } from './instruction.ts';
import { AluOp, Class, Endian, Source } from './opcodes.ts';
import type { Register } from './registers.ts';

export interface AluBuilder {
  /** dst = dst OP imm (for mov: dst = imm) */
  imm(dst: Register, imm: number): Instruction;
  /** dst = dst OP src (for mov: dst = src) */
  reg(dst: Register, src: Register): Instruction;
}

function alu(cls: number, op: number): AluBuilder {
  return Object.freeze({
    imm: (dst: Register, imm: number) => instruction({ opcode: cls | Source.K | op, dst, imm }),
    reg: (dst: Register, src: Register) => instruction({ opcode: cls | Source.X | op, dst, src: sourceRegister(src) }),
  });
}

export const add64 = alu(Class.ALU64, AluOp.ADD);
export const sub64 = alu(Class.ALU64, AluOp.SUB);
export const mul64 = alu(Class.ALU64, AluOp.MUL);
export const div64 = alu(Class.ALU64, AluOp.DIV);
export const or64 = alu(Class.ALU64, AluOp.OR);
export const and64 = alu(Class.ALU64, AluOp.AND);
export const lsh64 = alu(Class.ALU64, AluOp.LSH);
export const rsh64 = alu(Class.ALU64, AluOp.RSH);
export const mod64 = alu(Class.ALU64, AluOp.MOD);
export const xor64 = alu(Class.ALU64, AluOp.XOR);
export const mov64 = alu(Class.ALU64, AluOp.MOV);
export const arsh64 = alu(Class.ALU64, AluOp.ARSH);

export const add32 = alu(Class.ALU, AluOp.ADD);
export const sub32 = alu(Class.ALU, AluOp.SUB);
export const mul32 = alu(Class.ALU, AluOp.MUL);
export const div32 = alu(Class.ALU, AluOp.DIV);
export const or32 = alu(Class.ALU, AluOp.OR);
export const and32 = alu(Class.ALU, AluOp.AND);
export const lsh32 = alu(Class.ALU, AluOp.LSH);
export const rsh32 = alu(Class.ALU, AluOp.RSH);
export const mod32 = alu(Class.ALU, AluOp.MOD);
export const xor32 = alu(Class.ALU, AluOp.XOR);
export const mov32 = alu(Class.ALU, AluOp.MOV);
export const arsh32 = alu(Class.ALU, AluOp.ARSH);

/** dst = -dst */
export const neg64 = (dst: Register): Instruction => instruction({ opcode: Class.ALU64 | Source.K | AluOp.NEG, dst });
export const neg32 = (dst: Register): Instruction => instruction({ opcode: Class.ALU | Source.K | AluOp.NEG, dst });

export type SwapWidth = 16 | 32 | 64;

function checkWidth(bits: number): SwapWidth {
  if (bits !== 16 && bits !== 32 && bits !== 64) {
    throw new BpfError('OPERAND_OUT_OF_RANGE', `byte swap width must be 16, 32 or 64, not ${bits}`);
  }
  return bits;
}

/**
 * Byte-order conversion of the low `bits` of dst (the rest is zeroed). Packet fields are
 * big-endian and x86 is little-endian, so `end.toBe(R1, 16)` turns a loaded port into host order
 * (the swap is its own inverse). On a little-endian machine `toLe` only truncates.
 */
export const end = Object.freeze({
  toBe: (dst: Register, bits: SwapWidth): Instruction => instruction({ opcode: Class.ALU | Endian.TO_BE | AluOp.END, dst, imm: checkWidth(bits) }),
  toLe: (dst: Register, bits: SwapWidth): Instruction => instruction({ opcode: Class.ALU | Endian.TO_LE | AluOp.END, dst, imm: checkWidth(bits) }),
});

/** Unconditional byte swap (ALU64 | END, instruction set v4: kernel 6.6+). */
export const bswap = (dst: Register, bits: SwapWidth): Instruction =>
  instruction({ opcode: Class.ALU64 | Endian.TO_LE | AluOp.END, dst, imm: checkWidth(bits) });
