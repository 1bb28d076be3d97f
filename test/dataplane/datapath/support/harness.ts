// A datapath under test without interfaces: programs compiled from a DirectionPolicy, loaded
// against private (unpinned) shared maps, run with BPF_PROG_TEST_RUN; flow events read back from
// the ring buffer and the allowed flows' aggregates (drained) after every run. Everything is closed by close().

import { type CompiledProgram, type CompileOptions, compileDirection } from '../../../../agent/datapath/codegen/program.ts';
import { decodeFlowAggregate, decodeFlowEvent, type FlowRecord } from '../../../../agent/datapath/flows.ts';
import { STAT_REASONS, type StatReason } from '../../../../agent/datapath/layouts.ts';
import type { SharedMapSizes } from '../../../../agent/datapath/limits.ts';
import { type LoadedProgram, loadCompiledProgram } from '../../../../agent/datapath/load.ts';
import { closeSharedMaps, createSharedMaps, type SharedMaps } from '../../../../agent/datapath/shared-maps.ts';
import { SK_BUFF_SIZE, SkBuff } from '../../../../bpf/kernel/constants.ts';
import { splitPerCpu } from '../../../../bpf/kernel/percpu.ts';
import { RingBufferReader } from '../../../../bpf/kernel/ringbuf.ts';
import { testRun } from '../../../../bpf/kernel/testrun.ts';
import type { DirectionPolicy } from '../../../../policy/evaluation/endpoint-policy.ts';
import type { Direction } from '../../../../policy/ir.ts';

export type Outcome = 'allow' | 'drop';

export interface RunResult {
  outcome: Outcome;
  retval: number;
  events: FlowRecord[];
  durationNs: number;
}

export interface Datapath {
  shared: SharedMaps;
  load(direction: Direction, policy: DirectionPolicy | null, options?: CompileOptions): LoadedProgram<CompiledProgram>;
  /** Run one packet; `ifindex` must exist in the calling thread's netns (1 = lo, the default). */
  run(program: LoadedProgram, packet: Buffer, options?: { ifindex?: number; repeat?: number }): RunResult;
  /** Run the packets one after another, then read what they all reported (aggregates add up across them). */
  runAll(program: LoadedProgram, packets: readonly Buffer[]): { outcomes: Outcome[]; events: FlowRecord[] };
  /** Node-wide stat counters, summed over CPUs. */
  stats(): Record<StatReason, number>;
  close(): void;
}

function outcomeOf(retval: number): Outcome {
  if (retval === -1) return 'allow';
  if (retval === 2) return 'drop';
  throw new Error(`unexpected program return ${retval}`);
}

/** `sizes` overrides the small tables it makes (a one-set conntrack, to fill a set). */
export function createDatapath(sizes: Partial<SharedMapSizes> = {}): Datapath {
  const shared = createSharedMaps({ conntrack: 4096, conntrack6: 4096, fragments: 256, flowRing: 256 * 1024, flowAggregates: 1024, ...sizes });
  const loaded: LoadedProgram[] = [];
  const slotTables = new Map<number, CompiledProgram['slots']>();
  const pending: FlowRecord[] = [];
  const reader = new RingBufferReader(shared.flows, (bytes) => pending.push(decodeFlowEvent(bytes, (tag) => slotTables.get(tag))));
  const drain = (): FlowRecord[] => {
    reader.consume();
    // allowed flows are counted in place, not sent: drained after the ring's (a run's logged events came first)
    const { keys, values } = shared.flowAggregates.lookupBatch({ andDelete: true });
    for (let i = 0; i < keys.length; i++) pending.push(decodeFlowAggregate(keys[i]!, values[i]!, (tag) => slotTables.get(tag)));
    return pending.splice(0);
  };
  return {
    shared,
    load(direction, policy, options) {
      const compiled = compileDirection(direction, policy, options);
      const program = loadCompiledProgram(compiled, shared);
      slotTables.set(compiled.tag, compiled.slots);
      loaded.push(program);
      return program;
    },
    runAll(program, packets) {
      const outcomes = packets.map((packet) => outcomeOf(testRun(program.program, { data: packet }).retval));
      return { outcomes, events: drain() };
    },
    run(program, packet, options = {}) {
      let ctxIn: Buffer | undefined;
      if (options.ifindex !== undefined && options.ifindex !== 1) {
        ctxIn = Buffer.alloc(SK_BUFF_SIZE);
        ctxIn.writeUInt32LE(options.ifindex, SkBuff.ifindex);
      }
      const result = testRun(program.program, { data: packet, ...(ctxIn && { ctxIn }), ...(options.repeat && { repeat: options.repeat }) });
      return { outcome: outcomeOf(result.retval), retval: result.retval, events: drain(), durationNs: result.durationNs };
    },
    stats() {
      const out = {} as Record<StatReason, number>;
      STAT_REASONS.forEach((reason, i) => {
        const key = Buffer.alloc(4);
        key.writeUInt32LE(i);
        const value = shared.stats.lookup(key);
        out[reason] = value ? splitPerCpu(value, 8).reduce((n, b) => n + Number(b.readBigUInt64LE(0)), 0) : 0;
      });
      return out;
    },
    close() {
      reader.close();
      for (const p of loaded) p.close();
      closeSharedMaps(shared);
    },
  };
}
