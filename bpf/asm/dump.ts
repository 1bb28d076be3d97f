// Debug dump of an assembled program: one line per instruction, with its slot number (the
// index the verifier log uses), raw bytes, a readable form, its jump target label and comment;
// labels and notes on their own lines. Read it next to a verifier log when a load fails.
//
//   ; rule 3: allow tcp/80
//   rule_3:
//      12: 55 01 02 00 50 00 00 00  if r1 != 0x50 goto +2 <rule_3_no_match>  ; dport

import { HELPER_NAMES } from '../kernel/constants.ts';
import type { AssembledProgram } from './assembler.ts';
import { encodeInstruction } from './encode.ts';
import type { Instruction } from './instruction.ts';
import { AluOp, AtomicOp, Class, JmpOp, Mode, PseudoSrc, Size, Source } from './opcodes.ts';

const ALU_SYMBOL: Record<number, string> = {
  [AluOp.ADD]: '+=',
  [AluOp.SUB]: '-=',
  [AluOp.MUL]: '*=',
  [AluOp.DIV]: '/=',
  [AluOp.OR]: '|=',
  [AluOp.AND]: '&=',
  [AluOp.LSH]: '<<=',
  [AluOp.RSH]: '>>=',
  [AluOp.MOD]: '%=',
  [AluOp.XOR]: '^=',
  [AluOp.MOV]: '=',
  [AluOp.ARSH]: 's>>=',
};

const JMP_SYMBOL: Record<number, string> = {
  [JmpOp.JEQ]: '==',
  [JmpOp.JNE]: '!=',
  [JmpOp.JGT]: '>',
  [JmpOp.JGE]: '>=',
  [JmpOp.JLT]: '<',
  [JmpOp.JLE]: '<=',
  [JmpOp.JSGT]: 's>',
  [JmpOp.JSGE]: 's>=',
  [JmpOp.JSLT]: 's<',
  [JmpOp.JSLE]: 's<=',
  [JmpOp.JSET]: '&',
};

const SIZE_TYPE: Record<number, string> = { [Size.B]: 'u8', [Size.H]: 'u16', [Size.W]: 'u32', [Size.DW]: 'u64' };

const hex = (n: number): string => (n < 0 ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`);
const signed = (n: number): string => (n < 0 ? `- ${-n}` : `+ ${n}`);
const jumpOff = (n: number): string => (n < 0 ? `${n}` : `+${n}`);

/** One instruction in the kernel verifier's C-like notation. */
export function formatInstruction(insn: Instruction): string {
  const cls = insn.opcode & 0x07;
  const r = (n: number, wide: boolean): string => `${wide ? 'r' : 'w'}${n}`;
  switch (cls) {
    case Class.ALU:
    case Class.ALU64: {
      const wide = cls === Class.ALU64;
      const op = insn.opcode & 0xf0;
      const x = (insn.opcode & Source.X) !== 0;
      if (op === AluOp.NEG) return `${r(insn.dst, wide)} = -${r(insn.dst, wide)}`;
      if (op === AluOp.END) {
        if (wide) return `r${insn.dst} = bswap${insn.imm} r${insn.dst}`;
        return `r${insn.dst} = ${x ? 'be' : 'le'}${insn.imm} r${insn.dst}`;
      }
      const rhs = x ? r(insn.src, wide) : hex(insn.imm);
      return `${r(insn.dst, wide)} ${ALU_SYMBOL[op] ?? `alu(${hex(op)})`} ${rhs}`;
    }
    case Class.LDX:
      return `r${insn.dst} = *(${SIZE_TYPE[insn.opcode & 0x18]} *)(r${insn.src} ${signed(insn.off)})`;
    case Class.ST:
      return `*(${SIZE_TYPE[insn.opcode & 0x18]} *)(r${insn.dst} ${signed(insn.off)}) = ${hex(insn.imm)}`;
    case Class.STX: {
      const type = SIZE_TYPE[insn.opcode & 0x18];
      const where = `*(${type} *)(r${insn.dst} ${signed(insn.off)})`;
      if ((insn.opcode & 0xe0) === Mode.ATOMIC) {
        const reg = (insn.opcode & 0x18) === Size.DW ? `r${insn.src}` : `w${insn.src}`;
        if (insn.imm === AtomicOp.ADD) return `lock ${where} += ${reg}`;
        if (insn.imm === (AtomicOp.ADD | AtomicOp.FETCH)) return `${reg} = atomic_fetch_add(${where}, ${reg})`;
        if (insn.imm === AtomicOp.CMPXCHG) {
          const r0 = (insn.opcode & 0x18) === Size.DW ? 'r0' : 'w0';
          return `${r0} = cmpxchg(${where}, ${r0}, ${reg})`;
        }
        return `atomic(${hex(insn.imm)}) ${where}, ${reg}`;
      }
      return `${where} = r${insn.src}`;
    }
    case Class.LD: {
      if (insn.src === PseudoSrc.MAP_FD) return `r${insn.dst} = map[fd:${insn.imm}]`;
      if (insn.src === PseudoSrc.MAP_VALUE) return `r${insn.dst} = map[fd:${insn.imm}] value + ${insn.next ?? 0}`;
      const value = (BigInt.asUintN(32, BigInt(insn.next ?? 0)) << 32n) | BigInt.asUintN(32, BigInt(insn.imm));
      return `r${insn.dst} = 0x${value.toString(16)} ll`;
    }
    case Class.JMP:
    case Class.JMP32: {
      const op = insn.opcode & 0xf0;
      if (op === JmpOp.CALL) return `call ${HELPER_NAMES.get(insn.imm) ?? '#'}${HELPER_NAMES.has(insn.imm) ? '' : insn.imm}`;
      if (op === JmpOp.EXIT) return 'exit';
      if (op === JmpOp.JA) return cls === Class.JMP32 ? `gotol ${jumpOff(insn.imm)}` : `goto ${jumpOff(insn.off)}`;
      const wide = cls === Class.JMP;
      const rhs = (insn.opcode & Source.X) !== 0 ? r(insn.src, wide) : hex(insn.imm);
      return `if ${r(insn.dst, wide)} ${JMP_SYMBOL[op] ?? `jmp(${hex(op)})`} ${rhs} goto ${jumpOff(insn.off)}`;
    }
    default:
      return `unknown opcode ${hex(insn.opcode)}`;
  }
}

const bytesOf = (insn: Instruction): string => {
  const b = encodeInstruction(insn);
  return [...b.subarray(0, 8)].map((x) => x.toString(16).padStart(2, '0')).join(' ');
};

export interface DumpOptions {
  /** include the raw bytes column (default true) */
  bytes?: boolean;
}

export function dump(program: AssembledProgram, options: DumpOptions = {}): string {
  const width = String(Math.max(program.slotCount - 1, 0)).length;
  const lines: string[] = [];
  for (const line of program.listing) {
    if (line.kind === 'label') {
      lines.push(`${line.name}:`);
    } else if (line.kind === 'note') {
      lines.push(`; ${line.text}`);
    } else {
      const text = formatInstruction(line.insn);
      const parts = [`  ${String(line.slot).padStart(width)}:`];
      if (options.bytes !== false) parts.push(bytesOf(line.insn));
      parts.push(line.target === undefined ? text : `${text} <${line.target}>`);
      if (line.insn.comment !== undefined) parts.push(`; ${line.insn.comment}`);
      lines.push(parts.join(' '));
    }
  }
  return lines.join('\n');
}
