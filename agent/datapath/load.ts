// The load phase (kernel I/O): each compiled program's own maps are created and filled
// (program-maps.ts says which, with what), the program is linked against them and the node's shared
// maps, and BPF_PROG_LOAD runs the verifier. Nothing is attached here. A failure closes everything
// made so far: the phase loads every program or none.
import { BpfError } from '../../bpf/errors.ts';
import { type BpfMap, createMap } from '../../bpf/kernel/map.ts';
import { perCpuStride, possibleCpus, splitPerCpu } from '../../bpf/kernel/percpu.ts';
import { type BpfProgram, loadProgram } from '../../bpf/kernel/program.ts';
import type { EndpointKey } from '../../policy/inventory.ts';
import type { CompiledProgram } from './codegen/program.ts';
import type { CompiledNeed } from './compile.ts';
import type { DataplaneError } from './dataplane.ts';
import { DatapathError } from './errors.ts';
import { RuleCounter } from './layouts.ts';
import { linkProgram, type MapFds } from './link.ts';
import { type ProgramMapRef, type ProgramMapSpec, programMapSpecs } from './program-maps.ts';
import { type SharedMaps, sharedMapFds } from './shared-maps.ts';

const PACKETS_OFFSET = RuleCounter.offsetOf('packets');
const BYTES_OFFSET = RuleCounter.offsetOf('bytes');

/** A little-endian u64 as a number: exact below 2^53, and a double is all Prometheus keeps anyway. */
const u64At = (buf: Buffer, at: number): number => buf.readUInt32LE(at) + buf.readUInt32LE(at + 4) * 2 ** 32;

export interface RuleCount {
  packets: bigint;
  bytes: bigint;
}

export type ProgramMaps = Readonly<Partial<Record<ProgramMapRef, BpfMap>>> & { readonly counters: BpfMap };

/**
 * What a running program keeps of its compilation: its identity, the rule slot table (flow events
 * and counters name rules through it) and its statistics. The instructions and the maps' contents
 * are in the kernel once it is loaded; holding them too (the classifier's tables alone are 12.8 MiB
 * at 10,000 rules) only weighed on the agent for as long as the program ran.
 */
export type ProgramImage = Pick<CompiledProgram, 'name' | 'direction' | 'hook' | 'hash' | 'tag' | 'slots' | 'stats'>;

export function programImage(compiled: ProgramImage): ProgramImage {
  const { name, direction, hook, hash, tag, slots, stats } = compiled;
  return { name, direction, hook, hash, tag, slots, stats };
}

/** A program in the kernel with its own maps; `compiled` is the whole compilation only where a caller asked for it (loadCompiledProgram). */
export interface LoadedProgram<C extends ProgramImage = ProgramImage> {
  compiled: C;
  program: BpfProgram;
  /** The program's own maps by reference (program-maps.ts). */
  maps: ProgramMaps;
  /** Per-rule counters summed over CPUs, by slot. */
  readCounters(): Map<number, RuleCount>;
  /**
   * The same sums for the slots hit at least once, as numbers (what Prometheus exposes), straight
   * from the batch buffers: the scrape path, without a Buffer, Map entry or BigInt per slot.
   */
  forEachCounter(visit: (slot: number, packets: number, bytes: number) => void): void;
  close(): void;
}

export type LoadResult = { ok: true; loaded: Map<string, LoadedProgram> } | { ok: false; errors: DataplaneError[] };

/**
 * Loads every compiled program, by program key, keeping only its image (programImage). A program
 * that fails refuses the phase, naming every endpoint that would have run it; the programs already
 * loaded are closed again.
 */
export function loadPrograms(compiled: ReadonlyMap<string, CompiledNeed>, shared: SharedMaps): LoadResult {
  const loaded = new Map<string, LoadedProgram>();
  const errors: DataplaneError[] = [];
  for (const [key, { compiled: program, endpoints }] of compiled) {
    try {
      loaded.set(key, { ...loadCompiledProgram(program, shared), compiled: programImage(program) });
    } catch (error) {
      errors.push(...failedFor(endpoints, error));
    }
  }
  if (errors.length === 0) return { ok: true, loaded };
  for (const program of loaded.values()) program.close();
  return { ok: false, errors };
}

function failedFor(endpoints: readonly EndpointKey[], error: unknown): DataplaneError[] {
  const code = error instanceof DatapathError ? error.code : 'LOAD_FAILED';
  return endpoints.map((endpoint) => ({ code, message: (error as Error).message, endpoint }));
}

/** Batched updates in chunks (one syscall each), so a 10,000-rule program takes a few calls. */
const FILL_CHUNK = 16_384;

/** Every map of the program, created and filled; on a failure the ones made are closed. */
function createProgramMaps(specs: readonly ProgramMapSpec[]): ProgramMaps {
  const made: Partial<Record<ProgramMapRef, BpfMap>> = {};
  try {
    for (const spec of specs) {
      const map = createMap(spec.create);
      made[spec.ref] = map;
      const { count, keys, values } = spec.entries;
      for (let i = 0; i < count; i += FILL_CHUNK) {
        const end = Math.min(count, i + FILL_CHUNK);
        map.updatePacked(keys.subarray(i * map.keySize, end * map.keySize), values.subarray(i * map.valueBufferSize, end * map.valueBufferSize));
      }
    }
  } catch (error) {
    for (const map of Object.values(made)) map.close();
    throw error;
  }
  return made as ProgramMaps;
}

/** The fds of a program's own maps, for linkProgram. */
export function programMapFds(maps: ProgramMaps): MapFds {
  return Object.fromEntries(Object.entries(maps).map(([ref, map]) => [ref, map.fd]));
}

export function loadCompiledProgram(compiled: CompiledProgram, shared: SharedMaps): LoadedProgram<CompiledProgram> {
  let maps: ProgramMaps;
  try {
    maps = createProgramMaps(programMapSpecs(compiled));
  } catch (error) {
    throw new DatapathError('LOAD_FAILED', `maps of ${compiled.name}: ${(error as Error).message}`, { cause: error });
  }
  const closeMaps = () => {
    for (const map of Object.values(maps)) map.close();
  };
  let program: BpfProgram;
  try {
    const bytes = linkProgram(compiled.assembled, { ...sharedMapFds(shared), ...programMapFds(maps) });
    program = loadProgram({ name: compiled.name, instructions: bytes });
  } catch (error) {
    closeMaps();
    if (error instanceof DatapathError) throw error;
    const reason = error instanceof BpfError ? error.message : String(error);
    throw new DatapathError('LOAD_FAILED', reason, { cause: error });
  }
  return {
    compiled,
    program,
    maps,
    readCounters() {
      const result = new Map<number, RuleCount>();
      const { keys, values } = maps.counters.lookupBatch();
      keys.forEach((key, i) => {
        const slot = key.readUInt32LE(0);
        let packets = 0n;
        let bytes = 0n;
        for (const cpu of splitPerCpu(values[i]!, RuleCounter.size)) {
          const c = RuleCounter.decode(cpu);
          packets += c.packets;
          bytes += c.bytes;
        }
        if (packets > 0n) result.set(slot, { packets, bytes });
      });
      return result;
    },
    forEachCounter(visit) {
      const stride = perCpuStride(RuleCounter.size);
      const cpus = possibleCpus();
      const { keySize, valueBufferSize } = maps.counters;
      maps.counters.forEachBatch((keys, values, n) => {
        for (let i = 0; i < n; i++) {
          let packets = 0;
          let bytes = 0;
          for (let cpu = 0, at = i * valueBufferSize; cpu < cpus; cpu++, at += stride) {
            packets += u64At(values, at + PACKETS_OFFSET);
            bytes += u64At(values, at + BYTES_OFFSET);
          }
          if (packets > 0) visit(keys.readUInt32LE(i * keySize), packets, bytes);
        }
      });
    },
    close() {
      program.close();
      closeMaps();
    },
  };
}
