// Dead code removal before assembling. The verifier refuses a program with an instruction no path
// reaches ("unreachable insn"), and generated code has some by construction: the deny exit of a
// program whose policy can only allow, the default of a tier whose last rule matches everything.
// Walk the control flow from the first item and keep what is reached, labels and notes included.
import { Class, flatten, JmpOp, type ProgramItem, type ProgramSource } from '../../../bpf/asm/index.ts';

function successors(item: ProgramItem, index: number, labels: ReadonlyMap<string, number>): number[] {
  if (item.kind !== 'insn') return [index + 1];
  const cls = item.opcode & 0x07;
  if (cls !== Class.JMP && cls !== Class.JMP32) return [index + 1];
  const op = item.opcode & 0xf0;
  if (op === JmpOp.EXIT) return [];
  if (op === JmpOp.CALL) return [index + 1];
  if (item.target === undefined) {
    // a resolved (numeric) jump cannot be followed here; keep everything after it
    return [index + 1];
  }
  const target = labels.get(item.target);
  const to = target === undefined ? [] : [target]; // a missing label is the assembler's error to report
  return op === JmpOp.JA ? to : [index + 1, ...to];
}

export function removeUnreachable(source: ProgramSource): ProgramItem[] {
  const items = flatten(source);
  const labels = new Map<string, number>();
  items.forEach((item, i) => {
    if (item.kind === 'label' && !labels.has(item.name)) labels.set(item.name, i);
  });
  const reached = new Uint8Array(items.length);
  const work = [0];
  while (work.length > 0) {
    const i = work.pop()!;
    if (i >= items.length || reached[i]) continue;
    reached[i] = 1;
    for (const next of successors(items[i]!, i, labels)) if (!reached[next]) work.push(next);
  }
  return items.filter((item, i) => reached[i] || (item.kind === 'label' && labels.get(item.name) !== i));
}
