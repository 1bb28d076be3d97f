// Per-CPU maps store one value per *possible* CPU (not online CPU), each slot rounded up to 8
// bytes. User space reads and writes all slots at once, so value buffers are
// roundup(valueSize, 8) * possibleCpus() bytes.

import { readFileSync } from 'node:fs';
import { BpfError } from '../errors.ts';

let cached: number | undefined;

/** Parse a kernel CPU list such as "0-3" or "0,2-5,7" into a count of CPUs. */
export function parseCpuList(text: string): number {
  let count = 0;
  for (const part of text.trim().split(',')) {
    if (part === '') continue;
    const [lo, hi] = part.split('-').map(Number);
    if (lo === undefined || Number.isNaN(lo) || (hi !== undefined && Number.isNaN(hi))) {
      throw new BpfError('UNSUPPORTED', `cannot parse CPU list "${text}"`);
    }
    count += (hi ?? lo) - lo + 1;
  }
  return count;
}

/** Number of possible CPUs (/sys/devices/system/cpu/possible), as the kernel sizes per-CPU maps. */
export function possibleCpus(): number {
  cached ??= parseCpuList(readFileSync('/sys/devices/system/cpu/possible', 'utf8'));
  return cached;
}

export const perCpuStride = (valueSize: number): number => Math.ceil(valueSize / 8) * 8;

/** One buffer holding a value for every possible CPU, as map update expects. */
export function joinPerCpu(values: readonly Uint8Array[], valueSize: number): Buffer {
  const cpus = possibleCpus();
  if (values.length !== cpus) {
    throw new BpfError('INVALID_ARGUMENT', `per-CPU value needs ${cpus} entries, got ${values.length}`);
  }
  const stride = perCpuStride(valueSize);
  const out = Buffer.alloc(stride * cpus);
  values.forEach((v, i) => {
    if (v.length !== valueSize) throw new BpfError('INVALID_ARGUMENT', `per-CPU value ${i} is not ${valueSize} bytes`);
    out.set(v, i * stride);
  });
  return out;
}

/** Split a per-CPU value buffer into one copy per CPU. */
export function splitPerCpu(buf: Buffer, valueSize: number): Buffer[] {
  const stride = perCpuStride(valueSize);
  const out: Buffer[] = [];
  for (let at = 0; at + valueSize <= buf.length; at += stride) out.push(Buffer.from(buf.subarray(at, at + valueSize)));
  return out;
}
