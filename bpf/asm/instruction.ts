// Instructions as immutable values. A program is a list of items: instructions, labels
// (named positions that jumps refer to) and notes (free text kept for the debug dump only).
// Jump instructions carry the *name* of their target; the assembler turns names into offsets.

import { BpfError } from '../errors.ts';
import { isWideOpcode } from './opcodes.ts';
import { isRegister, type Register } from './registers.ts';

export interface Instruction {
  readonly kind: 'insn';
  /** the opcode byte: class | size/mode or class | source | operation */
  readonly opcode: number;
  readonly dst: Register;
  /** a register, or for ld_imm64 a pseudo-source selector (PseudoSrc) */
  readonly src: number;
  /** signed 16-bit: memory offset, or jump offset once assembled */
  readonly off: number;
  /** signed 32-bit immediate; for ld_imm64 the low 32 bits */
  readonly imm: number;
  /** ld_imm64 only: the immediate of the second 8-byte slot (high 32 bits of the constant) */
  readonly next?: number;
  /** symbolic jump target, resolved by the assembler */
  readonly target?: string;
  /** free text shown next to the instruction in the debug dump */
  readonly comment?: string;
}

export interface Label {
  readonly kind: 'label';
  readonly name: string;
}

export interface Note {
  readonly kind: 'note';
  readonly text: string;
}

export type ProgramItem = Instruction | Label | Note;

/** Items, or nested lists of items, so that program fragments compose without spreading. */
export type ProgramSource = ProgramItem | readonly ProgramSource[];

const S16_MIN = -0x8000;
const S16_MAX = 0x7fff;
const S32_MIN = -0x8000_0000;
const U32_MAX = 0xffff_ffff;

/** Accept s32 or u32 spellings of a 32-bit immediate (0xffffffff === -1), store it as s32. */
export function toS32(value: number, what = 'immediate'): number {
  if (!Number.isInteger(value) || value < S32_MIN || value > U32_MAX) {
    throw new BpfError('OPERAND_OUT_OF_RANGE', `${what} ${value} does not fit in 32 bits`);
  }
  return value | 0;
}

export function toS16(value: number, what = 'offset'): number {
  if (!Number.isInteger(value) || value < S16_MIN || value > S16_MAX) {
    throw new BpfError('OPERAND_OUT_OF_RANGE', `${what} ${value} does not fit in a signed 16-bit field`);
  }
  return value;
}

export function fitsS16(value: number): boolean {
  return value >= S16_MIN && value <= S16_MAX;
}

export function fitsS32(value: number): boolean {
  return value >= S32_MIN && value <= 0x7fff_ffff;
}

function checkRegister(value: number, what: string): Register {
  if (!isRegister(value)) {
    throw new BpfError('OPERAND_OUT_OF_RANGE', `${what} register r${value} does not exist (r0-r10)`);
  }
  return value;
}

export interface InstructionFields {
  opcode: number;
  dst?: number;
  src?: number;
  off?: number;
  imm?: number;
  next?: number;
  target?: string;
  comment?: string;
}

/** The one constructor: checks every field against its width and freezes the value. */
export function instruction(fields: InstructionFields): Instruction {
  const { opcode } = fields;
  if (!Number.isInteger(opcode) || opcode < 0 || opcode > 0xff) {
    throw new BpfError('OPERAND_OUT_OF_RANGE', `opcode ${opcode} is not a byte`);
  }
  const src = fields.src ?? 0;
  if (!Number.isInteger(src) || src < 0 || src > 0x0f) {
    throw new BpfError('OPERAND_OUT_OF_RANGE', `src ${src} does not fit in 4 bits`);
  }
  const wide = isWideOpcode(opcode);
  const insn: Instruction = {
    kind: 'insn',
    opcode,
    dst: checkRegister(fields.dst ?? 0, 'destination'),
    src,
    off: toS16(fields.off ?? 0),
    imm: toS32(fields.imm ?? 0),
    ...(wide ? { next: toS32(fields.next ?? 0, 'second immediate') } : {}),
    ...(fields.target === undefined ? {} : { target: fields.target }),
    ...(fields.comment === undefined ? {} : { comment: fields.comment }),
  };
  return Object.freeze(insn);
}

/** Registers used as the source operand are checked by the builders through this. */
export function sourceRegister(value: number): Register {
  return checkRegister(value, 'source');
}

/** A copy with a comment for the debug dump (instructions are immutable). */
export function withComment(insn: Instruction, comment: string): Instruction {
  return Object.freeze({ ...insn, comment });
}

/** Number of 8-byte slots: ld_imm64 takes two, everything else one. Jump offsets count slots. */
export function slots(insn: Instruction): 1 | 2 {
  return isWideOpcode(insn.opcode) ? 2 : 1;
}

export function label(name: string): Label {
  if (name.length === 0) throw new BpfError('INVALID_ARGUMENT', 'a label needs a name');
  return Object.freeze({ kind: 'label', name });
}

export function note(text: string): Note {
  return Object.freeze({ kind: 'note', text });
}
