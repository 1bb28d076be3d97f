// Opcode fields of the eBPF instruction set (RFC 9669 / Documentation/bpf/standardization/
// instruction-set.rst). The opcode byte is built by OR-ing a class with the fields that class
// uses: ALU/JMP classes use `op | source | class`; load/store classes use `mode | size | class`.

/** Instruction classes: the low 3 bits of the opcode. */
export const Class = {
  LD: 0x00, // only the wide ld_imm64 remains in eBPF (ABS/IND packet loads are legacy)
  LDX: 0x01,
  ST: 0x02,
  STX: 0x03,
  ALU: 0x04, // 32-bit ALU: results are zero-extended into the 64-bit register
  JMP: 0x05,
  JMP32: 0x06, // compares the low 32 bits; with op JA it is "gotol" (32-bit imm offset)
  ALU64: 0x07,
} as const;

/** Source operand for ALU and jump classes (bit 3). */
export const Source = {
  K: 0x00, // use the 32-bit immediate
  X: 0x08, // use the source register
} as const;

/** ALU operations (high 4 bits). */
export const AluOp = {
  ADD: 0x00,
  SUB: 0x10,
  MUL: 0x20,
  DIV: 0x30,
  OR: 0x40,
  AND: 0x50,
  LSH: 0x60,
  RSH: 0x70,
  NEG: 0x80,
  MOD: 0x90,
  XOR: 0xa0,
  MOV: 0xb0,
  ARSH: 0xc0,
  END: 0xd0, // byte swap; the source bit selects to-LE (0) or to-BE (1); imm = 16/32/64
} as const;

/** Byte-swap direction carried in the source bit of BPF_END. */
export const Endian = {
  TO_LE: 0x00,
  TO_BE: 0x08,
} as const;

/** Jump operations (high 4 bits). */
export const JmpOp = {
  JA: 0x00,
  JEQ: 0x10,
  JGT: 0x20, // unsigned
  JGE: 0x30, // unsigned
  JSET: 0x40, // dst & src != 0
  JNE: 0x50,
  JSGT: 0x60,
  JSGE: 0x70,
  CALL: 0x80,
  EXIT: 0x90,
  JLT: 0xa0, // unsigned
  JLE: 0xb0, // unsigned
  JSLT: 0xc0,
  JSLE: 0xd0,
} as const;

/** Access size for load/store classes (bits 3-4). */
export const Size = {
  W: 0x00, // 4 bytes
  H: 0x08, // 2 bytes
  B: 0x10, // 1 byte
  DW: 0x18, // 8 bytes
} as const;

/** Mode for load/store classes (high 3 bits). */
export const Mode = {
  IMM: 0x00, // ld_imm64
  ABS: 0x20, // legacy packet access, not emitted by us
  IND: 0x40, // legacy packet access, not emitted by us
  MEM: 0x60,
  MEMSX: 0x80, // sign-extending load (kernel 6.6+), not emitted yet
  ATOMIC: 0xc0,
} as const;

/** Atomic operation selector, carried in the immediate of STX|ATOMIC. */
export const AtomicOp = {
  ADD: 0x00,
  OR: 0x40,
  AND: 0x50,
  XOR: 0xa0,
  FETCH: 0x01, // OR-ed in: the old value is written back to the source register
  XCHG: 0xe0 | 0x01,
  CMPXCHG: 0xf0 | 0x01,
} as const;

/**
 * Values of the src field of ld_imm64 that change what the immediate means (the kernel
 * rewrites them at load time).
 */
export const PseudoSrc = {
  NONE: 0,
  MAP_FD: 1, // imm = map fd; the register receives a map pointer
  MAP_VALUE: 2, // imm = map fd, next imm = offset; the register receives a pointer into value 0
} as const;

export const isWideOpcode = (opcode: number): boolean => opcode === (Class.LD | Mode.IMM | Size.DW);
