// The assembler: turns a list of instructions, labels and notes into final instructions and
// bytes. Labels are names; one pass collects them (throwing on a duplicate) and checks that
// every jump names a defined label (throwing on a missing one), then offsets are computed.
//
// Long jumps. Conditional jumps and `ja` carry a signed 16-bit offset (±32767 slots). Policy
// programs with thousands of rules can exceed that, so a jump whose target is out of range is
// rewritten with the 32-bit-offset `gotol` (BPF_JMP32 | BPF_JA, offset in imm; Linux 6.4+,
// which every node we support runs):
//   ja far                  ->  gotol far                          (same size)
//   if r1 == 5 goto far     ->  if r1 != 5 goto +1; gotol far      (inverted condition, +1 slot)
//   if r1 & 4 goto far      ->  if r1 & 4 goto +1; ja +1; gotol far   (JSET has no inverse, +2)
// Rewriting makes the program longer, which can push other jumps out of range, so offsets are
// recomputed until nothing changes. A jump only ever grows, so this terminates (at most one
// round per jump, in practice two or three rounds).

import { BpfError } from '../errors.ts';
import { encodeInstructions } from './encode.ts';
import { fitsS16, fitsS32, type Instruction, instruction, type ProgramItem, type ProgramSource, slots } from './instruction.ts';
import { INVERSE_JUMP, isLabelledJump, jumpOp } from './jump.ts';
import { KERNEL_MAX_PROGRAM_SLOTS } from './limits.ts';
import { Class, JmpOp } from './opcodes.ts';

export type ListingLine =
  | { readonly kind: 'label'; readonly slot: number; readonly name: string }
  | { readonly kind: 'note'; readonly slot: number; readonly text: string }
  | {
      readonly kind: 'insn';
      readonly slot: number;
      readonly insn: Instruction;
      /** label this jump goes to (the resolved instruction only has the offset) */
      readonly target?: string;
      /** part of a long-jump rewrite */
      readonly longJump?: boolean;
    };

export interface AssembledProgram {
  /** resolved instructions (no symbolic targets), in order; ld_imm64 is one entry of two slots */
  readonly instructions: readonly Instruction[];
  /** program length in 8-byte slots: what the kernel counts and what verifier logs index */
  readonly slotCount: number;
  /** label name -> slot it points at */
  readonly labels: ReadonlyMap<string, number>;
  /** how many jumps needed the long form */
  readonly longJumps: number;
  /** every line with labels and notes kept, for the debug dump */
  readonly listing: readonly ListingLine[];
  /** what BPF_PROG_LOAD takes */
  readonly bytes: Buffer;
}

export function flatten(source: ProgramSource, out: ProgramItem[] = []): ProgramItem[] {
  if (Array.isArray(source)) {
    for (const item of source as readonly ProgramSource[]) flatten(item, out);
  } else {
    out.push(source as ProgramItem);
  }
  return out;
}

/** Slots taken by the long form of a jump. */
function longSize(insn: Instruction): number {
  const op = jumpOp(insn.opcode);
  if (op === JmpOp.JA) return 1;
  return INVERSE_JUMP.has(op) ? 2 : 3;
}

function collectLabels(items: readonly ProgramItem[]): Map<string, number> {
  const labels = new Map<string, number>();
  items.forEach((item, index) => {
    if (item.kind !== 'label') return;
    if (labels.has(item.name)) {
      throw new BpfError('LABEL_DUPLICATE', `label "${item.name}" is defined twice`);
    }
    labels.set(item.name, index);
  });
  items.forEach((item, index) => {
    if (item.kind === 'insn' && item.target !== undefined && !labels.has(item.target)) {
      throw new BpfError('LABEL_MISSING', `instruction #${index} jumps to undefined label "${item.target}"`);
    }
  });
  return labels;
}

export function assemble(source: ProgramSource): AssembledProgram {
  const items = flatten(source);
  const labelItem = collectLabels(items);

  const jumps: number[] = [];
  items.forEach((item, index) => {
    if (item.kind === 'insn' && item.target !== undefined) {
      if (!isLabelledJump(item)) {
        throw new BpfError('INVALID_ARGUMENT', `instruction #${index} has a target but is not a jump`);
      }
      jumps.push(index);
    }
  });

  // Relaxation: start with every jump short, grow the ones that do not reach.
  const long = new Uint8Array(items.length);
  const slotOf = new Int32Array(items.length + 1);
  const layout = (): void => {
    let slot = 0;
    for (let i = 0; i < items.length; i++) {
      slotOf[i] = slot;
      const item = items[i]!;
      if (item.kind === 'insn') slot += long[i] ? longSize(item) : slots(item);
    }
    slotOf[items.length] = slot;
  };
  for (;;) {
    layout();
    let changed = false;
    for (const j of jumps) {
      if (long[j]) continue;
      const target = slotOf[labelItem.get((items[j] as Instruction).target!)!]!;
      if (!fitsS16(target - (slotOf[j]! + 1))) {
        long[j] = 1;
        changed = true;
      }
    }
    if (!changed) break;
  }
  const slotCount = slotOf[items.length]!;
  if (slotCount > KERNEL_MAX_PROGRAM_SLOTS) {
    throw new BpfError('PROGRAM_TOO_LARGE', `program needs ${slotCount} instruction slots; the kernel accepts at most ${KERNEL_MAX_PROGRAM_SLOTS}`);
  }

  const instructions: Instruction[] = [];
  const listing: ListingLine[] = [];
  const labels = new Map<string, number>();
  let longJumps = 0;
  let slot = 0; // slot of the next emitted instruction
  const emit = (insn: Instruction, extra: { target?: string; longJump?: boolean } = {}): void => {
    listing.push({ kind: 'insn', slot, insn, ...extra });
    instructions.push(insn);
    slot += slots(insn);
  };

  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item.kind === 'label') {
      labels.set(item.name, slotOf[i]!);
      listing.push({ kind: 'label', slot: slotOf[i]!, name: item.name });
      continue;
    }
    if (item.kind === 'note') {
      listing.push({ kind: 'note', slot: slotOf[i]!, text: item.text });
      continue;
    }
    if (item.target === undefined) {
      emit(item);
      continue;
    }
    const targetName = item.target;
    const target = slotOf[labelItem.get(targetName)!]!;
    if (slot !== slotOf[i]) throw new Error(`assembler layout drifted at item ${i}`); // internal invariant
    const base = { dst: item.dst, src: item.src, imm: item.imm, ...(item.comment === undefined ? {} : { comment: item.comment }) };
    if (!long[i]) {
      emit(instruction({ opcode: item.opcode, ...base, off: target - (slot + 1) }), { target: targetName });
      continue;
    }
    longJumps++;
    const op = jumpOp(item.opcode);
    const gotol = (at: number): Instruction => {
      const distance = target - (at + 1);
      if (!fitsS32(distance)) {
        throw new BpfError('OPERAND_OUT_OF_RANGE', `jump to "${targetName}" is ${distance} slots away`);
      }
      return instruction({
        opcode: Class.JMP32 | JmpOp.JA,
        imm: distance,
        comment: item.comment ?? `long jump to ${targetName}`,
      });
    };
    if (op === JmpOp.JA) {
      emit(gotol(slot), { target: targetName, longJump: true });
    } else if (INVERSE_JUMP.has(op)) {
      const inverted = (item.opcode & ~0xf0) | INVERSE_JUMP.get(op)!;
      emit(instruction({ opcode: inverted, ...base, off: 1, comment: `inverted for long jump to ${targetName}` }), {
        longJump: true,
      });
      emit(gotol(slot), { target: targetName, longJump: true });
    } else {
      // JSET: no inverse exists, so branch over a skip.
      emit(instruction({ opcode: item.opcode, ...base, off: 1, comment: `long jump to ${targetName} when set` }), {
        longJump: true,
      });
      emit(instruction({ opcode: Class.JMP | JmpOp.JA, off: 1 }), { longJump: true });
      emit(gotol(slot), { target: targetName, longJump: true });
    }
  }

  return Object.freeze({
    instructions: Object.freeze(instructions),
    slotCount,
    labels,
    longJumps,
    listing: Object.freeze(listing),
    bytes: encodeInstructions(instructions),
  });
}
