// Loading a compiled program: its own maps (rule counters, address-set trie) are created and
// filled, the program is linked against them and the node's shared maps, and BPF_PROG_LOAD runs
// the verifier. Nothing is attached here. On any failure everything made so far is closed.
import { BpfError } from '../../bpf/errors.ts';
import { MapType } from '../../bpf/kernel/constants.ts';
import { createMap, type BpfMap } from '../../bpf/kernel/map.ts';
import { splitPerCpu } from '../../bpf/kernel/percpu.ts';
import { loadProgram, type BpfProgram } from '../../bpf/kernel/program.ts';
import type { CompiledProgram } from './codegen/program.ts';
import { DatapathError } from './errors.ts';
import { LpmKey, LPM_VALUE_SIZE, RuleCounter } from './layouts.ts';
import { linkProgram } from './link.ts';
import { sharedMapFds, type SharedMaps } from './shared-maps.ts';

export interface RuleCount {
  packets: bigint;
  bytes: bigint;
}

export interface LoadedProgram {
  compiled: CompiledProgram;
  program: BpfProgram;
  counters: BpfMap;
  ipSets: BpfMap | undefined;
  /** Per-rule counters summed over CPUs, by slot. */
  readCounters(): Map<number, RuleCount>;
  close(): void;
}

/** Maps owned by one program: counters always, the address-set trie when the policy has sets. */
function programMaps(compiled: CompiledProgram): { counters: BpfMap; ipSets: BpfMap | undefined } {
  const counters = createMap({
    type: MapType.PERCPU_ARRAY,
    name: 'pal_counters',
    keySize: 4,
    valueSize: RuleCounter.size,
    maxEntries: Math.max(1, compiled.slots.length),
  });
  if (compiled.ipSetEntries.length === 0) return { counters, ipSets: undefined };
  let ipSets: BpfMap | undefined;
  try {
    ipSets = createMap({
      type: MapType.LPM_TRIE,
      name: 'pal_ipsets',
      keySize: LpmKey.size,
      valueSize: LPM_VALUE_SIZE,
      maxEntries: compiled.ipSetEntries.length,
    });
    ipSets.updateBatch(
      compiled.ipSetEntries.map((e) => e.key),
      compiled.ipSetEntries.map((e) => e.value),
    );
    return { counters, ipSets };
  } catch (error) {
    ipSets?.close();
    counters.close();
    throw error;
  }
}

export function loadCompiledProgram(compiled: CompiledProgram, shared: SharedMaps): LoadedProgram {
  let maps: ReturnType<typeof programMaps>;
  try {
    maps = programMaps(compiled);
  } catch (error) {
    throw new DatapathError('LOAD_FAILED', `maps of ${compiled.name}: ${(error as Error).message}`, { cause: error });
  }
  const { counters, ipSets } = maps;
  let program: BpfProgram;
  try {
    const bytes = linkProgram(compiled.assembled, { ...sharedMapFds(shared), counters: counters.fd, ...(ipSets && { ipsets: ipSets.fd }) });
    program = loadProgram({ name: compiled.name, instructions: bytes });
  } catch (error) {
    counters.close();
    ipSets?.close();
    if (error instanceof DatapathError) throw error;
    const reason = error instanceof BpfError ? error.message : String(error);
    throw new DatapathError('LOAD_FAILED', reason, { cause: error });
  }
  return {
    compiled,
    program,
    counters,
    ipSets,
    readCounters() {
      const result = new Map<number, RuleCount>();
      const { keys, values } = counters.lookupBatch();
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
    close() {
      program.close();
      counters.close();
      ipSets?.close();
    },
  };
}
