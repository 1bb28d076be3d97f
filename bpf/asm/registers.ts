// eBPF registers. R0: return value of helpers and of the program. R1-R5: helper arguments,
// clobbered by every call. R6-R9: callee-saved across helper calls. R10: read-only frame
// pointer; the stack is the 512 bytes below it.

export type Register = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;

export const R0: Register = 0;
export const R1: Register = 1;
export const R2: Register = 2;
export const R3: Register = 3;
export const R4: Register = 4;
export const R5: Register = 5;
export const R6: Register = 6;
export const R7: Register = 7;
export const R8: Register = 8;
export const R9: Register = 9;
export const R10: Register = 10;

export function isRegister(value: number): value is Register {
  return Number.isInteger(value) && value >= 0 && value <= 10;
}
