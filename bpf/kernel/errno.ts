// Turning libbpf's negative return values into BpfError values.

import { constants } from 'node:os';
import { BpfError, type BpfErrorCode } from '../errors.ts';

const NAMES = new Map<number, string>(Object.entries(constants.errno).map(([name, n]) => [n, name]));

export const Errno = constants.errno;

export function errnoName(errno: number): string {
  return NAMES.get(errno) ?? `errno ${errno}`;
}

/** Throw `code` when a libbpf call returned a negative errno; return the value otherwise. */
export function check(ret: number, code: BpfErrorCode, what: string): number {
  if (ret >= 0) return ret;
  throw failure(code, what, -ret);
}

export function failure(code: BpfErrorCode, what: string, errno: number): BpfError {
  return new BpfError(code, `${what}: ${errnoName(errno)}`, { errno });
}
