// Per-run address blocks. Each run takes one /24 of 198.18.0.0/15 (RFC 2544 benchmarking space,
// never routed on the Internet; DESIGN.md reserves it for pod addresses) and one random ULA /64.
// Runs are isolated in their own node netns, but distinct blocks keep captures, flow logs and a
// future multi-node lab unambiguous. The /24 is reserved by creating a file exclusively, which is
// atomic across concurrent processes.
import { randomBytes, randomInt } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { err, ok, type Result } from '../errors.ts';
import { REGISTRY_DIR } from './registry.ts';

const BLOCKS = 512; // /24s in a /15

export interface Subnet4 {
  /** "198.18.5.0/24" */
  cidr: string;
  /** Host `n` of the block, n in 1..254. */
  host(n: number): string;
  /** The reservation file, removed when the run ends. */
  reservation: string;
}

function block(k: number): { base: string; file: string } {
  const base = `198.${18 + (k >> 8)}.${k & 0xff}`;
  return { base, file: join(REGISTRY_DIR, `net4-${base}.0`) };
}

export async function reserveSubnet4(runId: string): Promise<Result<Subnet4>> {
  const start = randomInt(BLOCKS);
  for (let i = 0; i < BLOCKS; i++) {
    const { base, file } = block((start + i) % BLOCKS);
    try {
      await writeFile(file, `${runId}\n`, { flag: 'wx' });
      return ok({ cidr: `${base}.0/24`, host: (n) => `${base}.${n}`, reservation: file });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  return err('address_space_exhausted', 'every /24 of 198.18.0.0/15 is reserved by a lab run; run sweepStale()');
}

/** Reservation files held by a run (read back from disk, for sweeping). */
export async function reservationOwner(file: string): Promise<string | undefined> {
  return (await readFile(file, 'utf8').catch(() => '')).trim() || undefined;
}

export interface Subnet6 {
  /** "fdxx:xxxx:xxxx:yyyy::/64" */
  cidr: string;
  host(n: number): string;
}

/**
 * RFC 4193 ULA: fd + 40 random bits + 16-bit subnet id. A collision among a handful of concurrent
 * runs is a 2^-56 event, so no reservation is kept.
 */
export function randomSubnet6(): Subnet6 {
  const b = randomBytes(7);
  const hex = (i: number) => ((b[i]! << 8) | b[i + 1]!).toString(16);
  const prefix = `fd${b[0]!.toString(16).padStart(2, '0')}:${hex(1)}:${hex(3)}:${hex(5)}`;
  return { cidr: `${prefix}::/64`, host: (n) => `${prefix}::${n.toString(16)}` };
}
