// Jump range with the verifier's code growth taken into account. The assembler gives a jump the
// 32-bit form (gotol) only when its distance does not fit 16 bits; but the verifier rewrites some
// instructions into several (array map lookups are inlined, context field loads expanded) and a
// 16-bit jump over the grown code then fails ("insn N cannot be patched due to 16-bit range",
// measured with 2,000 rules). So after a first assembly every short `goto` farther than
// SAFE_JUMP_SLOTS becomes a gotol: same size (one slot), so no other offset moves. Conditional
// jumps of generated programs are local (to the next term or rule); one farther than the safe
// distance is refused (COMPILE_LIMIT), never loaded to fail.
import { type AssembledProgram, assemble, Class, instruction, JmpOp, type ProgramItem } from '../../../bpf/asm/index.ts';
import { DatapathError } from '../errors.ts';

/**
 * Largest distance (slots) a 16-bit jump may span: the verifier's rewrites at most double code
 * (an inlined per-CPU array lookup is ~8 instructions for the call it replaces, ~1.6x over our
 * densest code), and 2 x 16,383 still fits a signed 16-bit offset.
 */
export const SAFE_JUMP_SLOTS = 16_383;

const isShortGoto = (insn: { opcode: number }): boolean => insn.opcode === (Class.JMP | JmpOp.JA);

export function assembleInJumpRange(items: readonly ProgramItem[]): AssembledProgram {
  const first = assemble(items);
  const replacements = new Map<number, ProgramItem>();
  let line = 0;
  items.forEach((item, index) => {
    const entry = first.listing[line];
    if (!entry) throw new Error('listing ended early'); // internal invariant
    if (item.kind !== 'insn' || entry.kind !== 'insn') {
      line++;
      return;
    }
    if (entry.longJump) {
      // a long form: 1-3 listing lines, the last one carries the target
      while (first.listing[line]?.kind === 'insn' && (first.listing[line] as { target?: string }).target === undefined) line++;
      line++;
      return;
    }
    line++;
    if (item.target === undefined) return;
    const distance = entry.insn.off;
    if (Math.abs(distance) <= SAFE_JUMP_SLOTS) return;
    if (!isShortGoto(item)) {
      throw new DatapathError('COMPILE_LIMIT', `a conditional jump to ${item.target} spans ${distance} instructions; the safe range is ${SAFE_JUMP_SLOTS}`);
    }
    replacements.set(index, instruction({ opcode: Class.JMP32 | JmpOp.JA, imm: distance, comment: `far jump to ${item.target}` }));
  });
  if (replacements.size === 0) return first;
  const second = assemble(items.map((item, index) => replacements.get(index) ?? item));
  if (second.slotCount !== first.slotCount) throw new Error('far jump rewrite changed the program length'); // internal invariant
  return second;
}
