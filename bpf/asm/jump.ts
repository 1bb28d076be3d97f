// Jump, call and exit builders. Conditional jumps name their target label:
//   jeq.imm(R1, 0x0800, 'ipv4')     if r1 == 0x800 goto ipv4
//   jgt.reg(R2, R3, 'drop')          if r2 > r3 (unsigned) goto drop
//   jeq32.imm(R1, 6, 'tcp')          compares the low 32 bits only
// Offsets are filled in by the assembler, which also rewrites jumps that are too far for the
// 16-bit offset field (see assembler.ts).

import { BpfError } from '../errors.ts';
import { type Instruction, instruction, sourceRegister } from './instruction.ts';
import { Class, JmpOp, Source } from './opcodes.ts';
import type { Register } from './registers.ts';

export interface JumpBuilder {
  imm(dst: Register, imm: number, target: string): Instruction;
  reg(dst: Register, src: Register, target: string): Instruction;
}

function checkTarget(target: string): string {
  if (typeof target !== 'string' || target.length === 0) {
    throw new BpfError('INVALID_ARGUMENT', 'a jump needs a target label name');
  }
  return target;
}

function conditional(cls: number, op: number): JumpBuilder {
  return Object.freeze({
    imm: (dst: Register, imm: number, target: string) => instruction({ opcode: cls | Source.K | op, dst, imm, target: checkTarget(target) }),
    reg: (dst: Register, src: Register, target: string) =>
      instruction({ opcode: cls | Source.X | op, dst, src: sourceRegister(src), target: checkTarget(target) }),
  });
}

export const jeq = conditional(Class.JMP, JmpOp.JEQ);
export const jne = conditional(Class.JMP, JmpOp.JNE);
export const jgt = conditional(Class.JMP, JmpOp.JGT);
export const jge = conditional(Class.JMP, JmpOp.JGE);
export const jlt = conditional(Class.JMP, JmpOp.JLT);
export const jle = conditional(Class.JMP, JmpOp.JLE);
export const jsgt = conditional(Class.JMP, JmpOp.JSGT);
export const jsge = conditional(Class.JMP, JmpOp.JSGE);
export const jslt = conditional(Class.JMP, JmpOp.JSLT);
export const jsle = conditional(Class.JMP, JmpOp.JSLE);
export const jset = conditional(Class.JMP, JmpOp.JSET);

export const jeq32 = conditional(Class.JMP32, JmpOp.JEQ);
export const jne32 = conditional(Class.JMP32, JmpOp.JNE);
export const jgt32 = conditional(Class.JMP32, JmpOp.JGT);
export const jge32 = conditional(Class.JMP32, JmpOp.JGE);
export const jlt32 = conditional(Class.JMP32, JmpOp.JLT);
export const jle32 = conditional(Class.JMP32, JmpOp.JLE);
export const jsgt32 = conditional(Class.JMP32, JmpOp.JSGT);
export const jsge32 = conditional(Class.JMP32, JmpOp.JSGE);
export const jslt32 = conditional(Class.JMP32, JmpOp.JSLT);
export const jsle32 = conditional(Class.JMP32, JmpOp.JSLE);
export const jset32 = conditional(Class.JMP32, JmpOp.JSET);

/** goto target (16-bit offset; the assembler turns it into gotol when the target is far) */
export const ja = (target: string): Instruction => instruction({ opcode: Class.JMP | JmpOp.JA, target: checkTarget(target) });

/** Call a kernel helper by id (see kernel/constants.ts Helper). Clobbers R1-R5, result in R0. */
export const call = (helperId: number): Instruction => {
  if (!Number.isInteger(helperId) || helperId <= 0) {
    throw new BpfError('OPERAND_OUT_OF_RANGE', `helper id ${helperId} is not a positive integer`);
  }
  return instruction({ opcode: Class.JMP | JmpOp.CALL, imm: helperId });
};

/** Return R0 to the caller (for tc/tcx: the verdict). */
export const exit = (): Instruction => instruction({ opcode: Class.JMP | JmpOp.EXIT });

// ---- facts the assembler needs ---------------------------------------------------------------

export const jumpOp = (opcode: number): number => opcode & 0xf0;

/** A jump whose target the assembler must resolve: conditional jumps and JA. */
export function isLabelledJump(insn: Instruction): boolean {
  const cls = insn.opcode & 0x07;
  if (cls !== Class.JMP && cls !== Class.JMP32) return false;
  const op = jumpOp(insn.opcode);
  return op !== JmpOp.CALL && op !== JmpOp.EXIT;
}

/**
 * The opposite condition, for the long-jump rewrite `if !cond goto +1; gotol target`.
 * JSET has no opposite in the instruction set; the assembler handles it with an extra `ja`.
 */
export const INVERSE_JUMP: ReadonlyMap<number, number> = new Map([
  [JmpOp.JEQ, JmpOp.JNE],
  [JmpOp.JNE, JmpOp.JEQ],
  [JmpOp.JGT, JmpOp.JLE],
  [JmpOp.JLE, JmpOp.JGT],
  [JmpOp.JGE, JmpOp.JLT],
  [JmpOp.JLT, JmpOp.JGE],
  [JmpOp.JSGT, JmpOp.JSLE],
  [JmpOp.JSLE, JmpOp.JSGT],
  [JmpOp.JSGE, JmpOp.JSLT],
  [JmpOp.JSLT, JmpOp.JSGE],
]);
