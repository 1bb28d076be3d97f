// A datapath under test without interfaces: programs compiled from a DirectionPolicy, loaded
// against private (unpinned) shared maps, run with BPF_PROG_TEST_RUN; flow events read back from
// the ring buffer after every run. Everything is closed by close().

import { type CompiledProgram, type CompileOptions, compileDirection } from '../../../../agent/datapath/codegen/program.ts';
import { decodeFlowEvent, type FlowRecord } from '../../../../agent/datapath/flows.ts';
import { STAT_REASONS, type StatReason } from '../../../../agent/datapath/layouts.ts';
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
  load(direction: Direction, policy: DirectionPolicy | null, options?: CompileOptions): LoadedProgram;
  /** Run one packet; `ifindex` must exist in the calling thread's netns (1 = lo, the default). */
  run(program: LoadedProgram, packet: Buffer, options?: { ifindex?: number; repeat?: number }): RunResult;
  /** Node-wide stat counters, summed over CPUs. */
  stats(): Record<StatReason, number>;
  close(): void;
}

export function createDatapath(): Datapath {
  const shared = createSharedMaps({ conntrack: 4096, fragments: 256, flowRing: 256 * 1024 });
  const loaded: LoadedProgram[] = [];
  const slotTables = new Map<number, CompiledProgram['slots']>();
  const pending: FlowRecord[] = [];
  const reader = new RingBufferReader(shared.flows, (bytes) => pending.push(decodeFlowEvent(bytes, (tag) => slotTables.get(tag))));
  return {
    shared,
    load(direction, policy, options) {
      const compiled = compileDirection(direction, policy, options);
      const program = loadCompiledProgram(compiled, shared);
      slotTables.set(compiled.tag, compiled.slots);
      loaded.push(program);
      return program;
    },
    run(program, packet, options = {}) {
      let ctxIn: Buffer | undefined;
      if (options.ifindex !== undefined && options.ifindex !== 1) {
        ctxIn = Buffer.alloc(SK_BUFF_SIZE);
        ctxIn.writeUInt32LE(options.ifindex, SkBuff.ifindex);
      }
      const result = testRun(program.program, { data: packet, ...(ctxIn && { ctxIn }), ...(options.repeat && { repeat: options.repeat }) });
      reader.consume();
      const events = pending.splice(0);
      const outcome: Outcome | undefined = result.retval === -1 ? 'allow' : result.retval === 2 ? 'drop' : undefined;
      if (!outcome) throw new Error(`unexpected program return ${result.retval}`);
      return { outcome, retval: result.retval, events, durationNs: result.durationNs };
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
