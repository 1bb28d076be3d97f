// One interface's XDP program into the kernel: its two source tries and its drop counters
// created and filled, the program generated against their fds and loaded. All or nothing: a
// failure closes what was made.
import { assemble } from '../../../bpf/asm/index.ts';
import { MapType, ProgType } from '../../../bpf/kernel/constants.ts';
import { type BpfMap, createMap } from '../../../bpf/kernel/map.ts';
import { splitPerCpu } from '../../../bpf/kernel/percpu.ts';
import { type BpfProgram, loadProgram } from '../../../bpf/kernel/program.ts';
import { XdpLpmKey4, XdpLpmKey6, XdpRuleCounter, XdpTermMask } from './layouts.ts';
import { generateXdpProgram } from './program.ts';
import type { XdpTables } from './tables.ts';

export interface LoadedXdpProgram {
  program: BpfProgram;
  counters: BpfMap;
  /** Drops per counter slot (a rule), summed over CPUs. */
  readCounters(): { packets: number; bytes: number }[];
  close(): void;
}

function trie(name: string, keySize: number, entries: { key: Buffer; mask: bigint }[]): BpfMap {
  // An LPM trie needs max_entries >= 1 even when the family has no entry.
  const map = createMap({ type: MapType.LPM_TRIE, name, keySize, valueSize: XdpTermMask.size, maxEntries: Math.max(1, entries.length) });
  for (const { key, mask } of entries) map.update(key, XdpTermMask.encode({ mask }));
  return map;
}

export function loadXdpProgram(name: string, tables: XdpTables, ruleCount: number): LoadedXdpProgram {
  const made: { close(): void }[] = [];
  try {
    const of = (family: 4 | 6) => tables.entries.filter((e) => e.family === family);
    const trie4 = trie(
      'xdp_src4',
      XdpLpmKey4.size,
      of(4).map((e) => ({ key: XdpLpmKey4.encode({ prefixlen: e.prefix, addr: e.addr }), mask: e.mask })),
    );
    made.push(trie4);
    const trie6 = trie(
      'xdp_src6',
      XdpLpmKey6.size,
      of(6).map((e) => ({ key: XdpLpmKey6.encode({ prefixlen: e.prefix, addr: e.addr }), mask: e.mask })),
    );
    made.push(trie6);
    // Per CPU: a flood drops on every CPU at once, and shared counters would bounce one cache line.
    const counters = createMap({
      type: MapType.PERCPU_ARRAY,
      name: 'xdp_drops',
      keySize: 4,
      valueSize: XdpRuleCounter.size,
      maxEntries: Math.max(1, ruleCount),
    });
    made.push(counters);
    const program = loadProgram({
      type: ProgType.XDP,
      name,
      instructions: assemble(generateXdpProgram(tables, { trie4: trie4.fd, trie6: trie6.fd, counters: counters.fd })),
    });
    // The program holds its maps; only the counters are read from here on.
    trie4.close();
    trie6.close();
    return {
      program,
      counters,
      readCounters() {
        return Array.from({ length: ruleCount }, (_, slot) => {
          const key = Buffer.alloc(4);
          key.writeUInt32LE(slot);
          const value = counters.lookup(key);
          let packets = 0;
          let bytes = 0;
          for (const cpu of value ? splitPerCpu(value, XdpRuleCounter.size) : []) {
            const decoded = XdpRuleCounter.decode(cpu);
            packets += Number(decoded.packets);
            bytes += Number(decoded.bytes);
          }
          return { packets, bytes };
        });
      },
      close() {
        program.close();
        counters.close();
      },
    };
  } catch (error) {
    for (const m of made) m.close();
    throw error;
  }
}
