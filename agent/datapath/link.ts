// Linking: the generated program refers to maps by name (map-refs.ts placeholders); here the fds of
// the maps actually created take their place, giving the bytes BPF_PROG_LOAD takes.
import { type AssembledProgram, encodeInstructions, instruction, isWideOpcode, PseudoSrc } from '../../bpf/asm/index.ts';
import { DatapathError } from './errors.ts';
import { type MapRef, refOfPlaceholder } from './map-refs.ts';

export type MapFds = Partial<Record<MapRef, number>>;

export function linkProgram(assembled: AssembledProgram, fds: MapFds): Buffer {
  const linked = assembled.instructions.map((insn) => {
    if (!isWideOpcode(insn.opcode) || insn.src !== PseudoSrc.MAP_FD) return insn;
    const ref = refOfPlaceholder(insn.imm);
    if (ref === undefined) return insn; // a real fd already
    const fd = fds[ref];
    if (fd === undefined) throw new DatapathError('LOAD_FAILED', `program refers to map "${ref}", which was not provided`);
    return instruction({ opcode: insn.opcode, dst: insn.dst, src: insn.src, imm: fd, next: insn.next ?? 0 });
  });
  return encodeInstructions(linked);
}
