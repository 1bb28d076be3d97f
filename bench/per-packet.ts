// Figure 1: what one packet costs the program, by rule count, from BPF_PROG_TEST_RUN (the kernel
// runs the program `repeat` times on a crafted frame and reports the mean ns per run).
//
// The programs are the agent's: the bench policy (rules.ts) resolved against an inventory holding
// the server pod (policy/evaluation), compiled for its ingress (codegen/program.ts, strategy chosen
// by size as in production) and loaded against private, unpinned shared maps (load.ts). Two packets:
// an allowed one matching the last rule and a denied one matching none. Both are new flows on every
// repetition: the allowed one is a TCP RST|ACK, which the program never tracks (a SYN would be
// tracked on the first run and the rest would be conntrack hits); the denied one is never tracked.

import { compileDirection } from '../agent/datapath/codegen/program.ts';
import { decodeFlowAggregate, decodeFlowEvent, type FlowRecord } from '../agent/datapath/flows.ts';
import { type LoadedProgram, loadCompiledProgram } from '../agent/datapath/load.ts';
import { closeSharedMaps, createSharedMaps } from '../agent/datapath/shared-maps.ts';
import { RingBufferReader } from '../bpf/kernel/ringbuf.ts';
import { testRun } from '../bpf/kernel/testrun.ts';
import { resolveEndpointPolicies } from '../policy/evaluation/resolve.ts';
import { inventorySchema } from '../policy/inventory.ts';
import { TcpFlag, tcpFrame } from './packets.ts';
import { progress } from './progress.ts';
import { BENCH_NAMESPACE, benchNamespace, benchPolicySet, SERVER_LABELS } from './rules.ts';
import { type Sample, sample } from './stats.ts';

const POD = '198.18.0.10';
const CLIENT = '198.18.0.20';
const PORT = 5201;
const DENIED_FROM = '192.0.2.1'; // TEST-NET-1: in no rule
const TCX_NEXT = -1;
const TCX_DROP = 2;

export interface PerPacketRow {
  rules: number;
  strategy: string;
  instructions: number;
  allowedNs: Sample;
  deniedNs: Sample;
}

export interface PerPacketOptions {
  counts: readonly number[];
  rounds: number;
  repeat: number;
}

interface Loaded {
  rules: number;
  program: LoadedProgram;
}

function loadFor(count: number, shared: ReturnType<typeof createSharedMaps>): Loaded {
  const inventory = inventorySchema.parse({
    namespaces: [benchNamespace],
    endpoints: [{ namespace: BENCH_NAMESPACE, name: 'server', labels: { ...SERVER_LABELS }, ipv4: [POD], hostInterface: 'lo' }],
  });
  const policy = benchPolicySet({ count, clientIp: CLIENT, clientPort: PORT });
  const resolved = resolveEndpointPolicies(policy, inventory, { endpoints: 'local' }).get(`${BENCH_NAMESPACE}/server`);
  if (!resolved?.ingress) throw new Error('the bench policy does not select the server');
  return { rules: count, program: loadCompiledProgram(compileDirection('ingress', resolved.ingress), shared) };
}

export function measurePerPacket(options: PerPacketOptions): PerPacketRow[] {
  const shared = createSharedMaps({ conntrack: 4096, conntrack6: 4096, fragments: 256, flowRing: 256 * 1024 });
  const flows: FlowRecord[] = [];
  const tables = new Map<number, LoadedProgram['compiled']['slots']>();
  const reader = new RingBufferReader(shared.flows, (bytes) => flows.push(decodeFlowEvent(bytes, (tag) => tables.get(tag))));
  const loaded: Loaded[] = [];
  try {
    for (const count of options.counts) {
      const t0 = performance.now();
      const l = loadFor(count, shared);
      tables.set(l.program.compiled.tag, l.program.compiled.slots);
      loaded.push(l);
      progress(
        `per-packet: ${count} rules compiled and loaded (${l.program.compiled.stats.strategy}, ${l.program.compiled.stats.instructions} insns) in ${(performance.now() - t0).toFixed(0)} ms`,
      );
    }
    const allowed = tcpFrame(CLIENT, POD, 40000, PORT, TcpFlag.RST | TcpFlag.ACK);
    const denied = tcpFrame(DENIED_FROM, POD, 40000, 9, TcpFlag.SYN);
    const run = (l: Loaded, frame: Buffer, want: number, repeat: number): number => {
      const result = testRun(l.program.program, { data: frame, repeat });
      reader.consume();
      // allowed flows are counted in place (codegen/flow-aggregates.ts), not sent through the ring
      const { keys, values } = shared.flowAggregates.lookupBatch({ andDelete: true });
      for (let i = 0; i < keys.length; i++) flows.push(decodeFlowAggregate(keys[i]!, values[i]!, (tag) => tables.get(tag)));
      if (result.retval !== want) throw new Error(`${l.rules} rules: program returned ${result.retval}, expected ${want}`);
      return result.durationNs;
    };
    // Sanity, once: the allowed packet is decided by the last rule, not by anything earlier.
    for (const l of loaded) {
      flows.length = 0;
      run(l, allowed, TCX_NEXT, 1);
      const last = flows.at(-1)?.rule;
      if (last?.action !== 'Allow' || last.ruleIndex !== l.rules - 1) {
        throw new Error(`${l.rules} rules: the allowed packet was decided by ${JSON.stringify(last)}, not the last rule`);
      }
    }
    const times = new Map(loaded.map((l) => [l.rules, { allowed: [] as number[], denied: [] as number[] }]));
    for (let round = 0; round < options.rounds; round++) {
      // interleaved: every rule count sees the same noise
      for (const l of loaded) {
        times.get(l.rules)!.allowed.push(run(l, allowed, TCX_NEXT, options.repeat));
        times.get(l.rules)!.denied.push(run(l, denied, TCX_DROP, options.repeat));
      }
    }
    flows.length = 0;
    return loaded.map((l) => ({
      rules: l.rules,
      strategy: l.program.compiled.stats.strategy,
      instructions: l.program.compiled.stats.instructions,
      allowedNs: sample(times.get(l.rules)!.allowed),
      deniedNs: sample(times.get(l.rules)!.denied),
    }));
  } finally {
    reader.close();
    for (const l of loaded) l.program.close();
    closeSharedMaps(shared);
  }
}
