// Encoding to the kernel's layout (struct bpf_insn, little-endian host):
//   byte 0: opcode, byte 1: src (high nibble) | dst (low nibble), bytes 2-3: off (s16),
//   bytes 4-7: imm (s32). ld_imm64 is followed by a second slot that is all zero except its imm.

import { BpfError } from '../errors.ts';
import type { Instruction } from './instruction.ts';
import { slots } from './instruction.ts';
import { INSN_SIZE } from './limits.ts';

/** Write one instruction (8 or 16 bytes) at `at`; returns the offset after it. */
export function encodeInto(insn: Instruction, buf: Buffer, at: number): number {
  if (insn.target !== undefined) {
    // Only the assembler turns a label into an offset; encoding an unresolved jump would
    // silently jump to the next instruction.
    throw new BpfError('INVALID_ARGUMENT', `jump to "${insn.target}" is unresolved: assemble the program first`);
  }
  buf.writeUInt8(insn.opcode, at);
  buf.writeUInt8(((insn.src & 0x0f) << 4) | (insn.dst & 0x0f), at + 1);
  buf.writeInt16LE(insn.off, at + 2);
  buf.writeInt32LE(insn.imm, at + 4);
  if (slots(insn) === 2) {
    buf.fill(0, at + INSN_SIZE, at + INSN_SIZE + 4);
    buf.writeInt32LE(insn.next ?? 0, at + INSN_SIZE + 4);
    return at + 2 * INSN_SIZE;
  }
  return at + INSN_SIZE;
}

/** Bytes of a single instruction (8, or 16 for ld_imm64). */
export function encodeInstruction(insn: Instruction): Buffer {
  const buf = Buffer.alloc(slots(insn) * INSN_SIZE);
  encodeInto(insn, buf, 0);
  return buf;
}

/** Bytes of a list of instructions, back to back. */
export function encodeInstructions(insns: readonly Instruction[]): Buffer {
  let total = 0;
  for (const insn of insns) total += slots(insn);
  const buf = Buffer.alloc(total * INSN_SIZE);
  let at = 0;
  for (const insn of insns) at = encodeInto(insn, buf, at);
  return buf;
}
