// What one new flow costs the 10,000-rule ingress program (issue 13: "if conntrack insertion, not
// classification, is what costs, say so with numbers"), from BPF_PROG_TEST_RUN. per-packet.ts runs an
// untracked packet `repeat` times: classification alone. Here every run is a 64-byte UDP datagram of
// a flow never seen before (source address in the new-flow CIDR, source port counting up), one
// test run each, so each is classified, looked up (a miss) and recorded as the load generator's
// datagrams are. Against:
// - an empty conntrack table (the first EMPTY_FLOWS flows of a fresh one), and
// - a full one: more flows than it holds went first, so every insert evicts an entry, as a new-flow
//   flood keeps the table;
// - and, for reference, a flow's later packets (a conntrack hit, `repeat` runs of one datagram).
// Both tables are measured at the agent's size (limits.ts) and at half of it, interleaved, so what
// the table's size costs a new flow shows in the same run.
import { compileDirection } from '../agent/datapath/codegen/program.ts';
import { countCt4Entries, ct4Ways } from '../agent/datapath/ct4-table.ts';
import { DEFAULT_SHARED_MAP_SIZES } from '../agent/datapath/limits.ts';
import { type LoadedProgram, loadCompiledProgram } from '../agent/datapath/load.ts';
import { closeSharedMaps, createSharedMaps, type SharedMaps } from '../agent/datapath/shared-maps.ts';
import { testRun } from '../bpf/kernel/testrun.ts';
import { resolveEndpointPolicies } from '../policy/evaluation/resolve.ts';
import { inventorySchema } from '../policy/inventory.ts';
import { CONN_PORT, NEW_FLOW_CIDR } from './new-flows.ts';
import { udpFrame } from './packets.ts';
import { progress } from './progress.ts';
import { BENCH_NAMESPACE, benchNamespace, benchPolicySet, SERVER_LABELS } from './rules.ts';
import { round, type Sample, sample, withSpread } from './stats.ts';

const POD = '198.18.0.10';
const CLIENT = '198.18.0.20';
const PORT = 5201;
const RULES = 10_000;
const TCX_NEXT = -1;
/** Flows measured per table state; the mean of their single runs is one sample. */
const MEASURED_FLOWS = 20_000;
const HIT_REPEAT = 200_000;
/**
 * The IPv4 table is set-associative (codegen/conntrack4.ts): a set fills before the table does, so
 * flows for twice its ways go first, which leaves ~98% of its ways taken and nearly every insert
 * evicting, as a new-flow flood keeps it.
 */
const FILL_FACTOR = 2;
const FULL_FRACTION = 0.95;
const FIRST_PORT = 1024;
const PORTS = 65_536 - FIRST_PORT;

export interface NewFlowCostTable {
  entries: number;
  emptyNs: Sample;
  fullNs: Sample;
}

export interface NewFlowPerPacket {
  rules: number;
  /** The agent's table size first, then half of it. */
  tables: NewFlowCostTable[];
  hitNs: Sample;
}

/** Source addresses of the new-flow CIDR (100.127.240.0/20), one per 64,512 ports. */
function sourceOf(i: number): string {
  const n = (100 << 24) + (127 << 16) + (240 << 8) + 1 + i;
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

function loadProgram(shared: SharedMaps): LoadedProgram {
  const inventory = inventorySchema.parse({
    namespaces: [benchNamespace],
    endpoints: [{ namespace: BENCH_NAMESPACE, name: 'server', labels: { ...SERVER_LABELS }, ipv4: [POD], hostInterface: 'lo' }],
  });
  const policy = benchPolicySet({ count: RULES, clientIp: CLIENT, clientPort: PORT, newFlows: { cidr: NEW_FLOW_CIDR, connPort: CONN_PORT } });
  const resolved = resolveEndpointPolicies(policy, inventory, { endpoints: 'local' }).get(`${BENCH_NAMESPACE}/server`);
  if (!resolved?.ingress) throw new Error('the bench policy does not select the server');
  return loadCompiledProgram(compileDirection('ingress', resolved.ingress), shared);
}

/** Datagrams of ever new flows: the n-th from source address n / PORTS, port FIRST_PORT + n % PORTS. */
class NewFlows {
  private next = 0;
  private frame = udpFrame(sourceOf(0), POD, FIRST_PORT, PORT);
  private address = 0;

  /** Runs `count` new flows through `program`; the mean ns of their runs. */
  run(program: LoadedProgram, count: number): number {
    let total = 0;
    for (let i = 0; i < count; i++, this.next++) {
      const address = Math.floor(this.next / PORTS);
      if (address !== this.address) {
        this.address = address;
        this.frame = udpFrame(sourceOf(address), POD, FIRST_PORT, PORT);
      }
      this.frame.writeUInt16BE(FIRST_PORT + (this.next % PORTS), 34); // UDP source port
      const result = testRun(program.program, { data: this.frame });
      if (result.retval !== TCX_NEXT) throw new Error(`a new flow was not allowed (program returned ${result.retval})`);
      total += result.durationNs;
    }
    return total / count;
  }
}

interface TableRuns {
  entries: number;
  empty: number[];
  full: number[];
}

function measureTable(entries: number, runs: TableRuns, hit: number[]): void {
  const shared = createSharedMaps({ conntrack: entries, conntrack6: 4096, fragments: 256, flowRing: 256 * 1024 });
  const program = loadProgram(shared);
  const ways = ct4Ways(entries);
  try {
    const flows = new NewFlows();
    runs.empty.push(flows.run(program, MEASURED_FLOWS));
    flows.run(program, FILL_FACTOR * ways); // past full: from here on nearly every insert evicts
    const held = countCt4Entries(shared.conntrack);
    if (held < FULL_FRACTION * ways) throw new Error(`conntrack holds ${held} of ${ways} entries`);
    runs.full.push(flows.run(program, MEASURED_FLOWS));
    hit.push(testRun(program.program, { data: udpFrame(CLIENT, POD, 40_000, PORT), repeat: HIT_REPEAT }).durationNs);
  } finally {
    program.close();
    closeSharedMaps(shared);
  }
}

export function measureNewFlowPerPacket(rounds: number): NewFlowPerPacket {
  const agent = DEFAULT_SHARED_MAP_SIZES.conntrack;
  const tables: TableRuns[] = [agent, agent / 2].map((entries) => ({ entries, empty: [], full: [] }));
  const hit: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const t of r % 2 ? [...tables].reverse() : tables) {
      measureTable(t.entries, t, hit);
      progress(
        `new flow per packet round ${r + 1}/${rounds}, ${t.entries} entries: empty ${t.empty.at(-1)!.toFixed(0)} ns, full ${t.full.at(-1)!.toFixed(0)} ns`,
      );
    }
  }
  return { rules: RULES, tables: tables.map((t) => ({ entries: t.entries, emptyNs: sample(t.empty), fullNs: sample(t.full) })), hitNs: sample(hit) };
}

export function newFlowPerPacketJson(result: NewFlowPerPacket): Record<string, unknown> {
  const [agent, half] = result.tables;
  return {
    rules: result.rules,
    tables: result.tables.map((t) => ({ entries: t.entries, emptyTableNs: withSpread(t.emptyNs, 0), fullTableNs: withSpread(t.fullNs, 0) })),
    fullTableRatioToHalf: round(agent!.fullNs.median / half!.fullNs.median, 3),
    conntrackHitNs: withSpread(result.hitNs, 0),
  };
}
