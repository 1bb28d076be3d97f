// Allowed new flows are counted in place in the node-wide `flow_aggregates` hash (layouts.ts
// FlowAggregateKey) instead of each sending a ring buffer record: at 10,000 new flows a second from
// rotating client ports, one record per flow cost a reserve and copy here and, worse, a decode per
// flow in the agent's JavaScript on the same CPUs as the traffic (issue 13). The agent drains the
// map (ebpf-dataplane.ts) into the same flow records, with their count, that the flow log wants.
//
// An existing entry takes atomic adds (count, bytes) and a plain store of the last-seen time (a
// concurrent store from another CPU is as good as ours). A missing one is created with BPF_NOEXIST,
// so two CPUs creating the same entry at once do not overwrite each other's first count: the loser
// looks the winner's entry up and adds to it. A full map (or an entry drained between the two
// steps) counts the flow under `events_lost`, like a full ring buffer.
import { atomicAdd, call, ja, jeq, jne, label, ldx, mov64, note, type ProgramSource, R0, R1, R2, R3, R4, st, stx } from '../../../bpf/asm/index.ts';
import { Helper, UpdateFlag } from '../../../bpf/kernel/constants.ts';
import { FlowAggregateKey, FlowAggregateValue, HookCode } from '../layouts.ts';
import { loadMap } from '../map-refs.ts';
import { at, countStat, R_STATE, statePointer } from './conventions.ts';

type KeyField = Parameters<typeof FlowAggregateKey.offsetOf>[0];
type ValueField = Parameters<typeof FlowAggregateValue.offsetOf>[0];
const key = (field: KeyField): number => at('aggKey') + FlowAggregateKey.offsetOf(field);
const value = (field: ValueField): number => at('aggValue') + FlowAggregateValue.offsetOf(field);

/** The aggregate's key from the packet's state; every byte written (hash keys compare raw bytes). */
function aggregateKey(): ProgramSource {
  const words = (from: 'tag' | 'ruleSlot' | 'stagedSlot' | 'ifindex') => [ldx.w(R1, R_STATE, at(from)), stx.w(R_STATE, R1, key(from))];
  const bytes = (from: 'verdict' | 'stagedVerdict' | 'hook' | 'proto' | 'family' | 'icmpType' | 'icmpCode') => [
    ldx.b(R1, R_STATE, at(from)),
    stx.b(R_STATE, R1, key(from)),
  ];
  const address = (from: 'local' | 'remote') => [0, 4, 8, 12].map((off) => [ldx.w(R1, R_STATE, at(from) + off), stx.w(R_STATE, R1, key(from) + off)]);
  return [
    words('tag'),
    words('ruleSlot'),
    words('stagedSlot'),
    words('ifindex'),
    bytes('verdict'),
    bytes('stagedVerdict'),
    bytes('hook'),
    bytes('proto'),
    bytes('family'),
    bytes('icmpType'),
    bytes('icmpCode'),
    st.b(R_STATE, 0, key('pad0')),
    // the server's port: the remote end's for traffic leaving the pod, the pod's own for traffic entering it
    ldx.h(R1, R_STATE, at('lport')),
    ldx.b(R2, R_STATE, at('hook')),
    jne.imm(R2, HookCode.FROM_POD, 'agg_port'),
    ldx.h(R1, R_STATE, at('rport')),
    label('agg_port'),
    stx.h(R_STATE, R1, key('port')),
    st.h(R_STATE, 0, key('pad1')),
    address('local'),
    address('remote'),
    st.w(R_STATE, 0, key('pad2')),
  ];
}

/** R0 points at an existing entry: add this flow to it. */
function addTo(done: string): ProgramSource {
  return [
    mov64.imm(R1, 1),
    atomicAdd.dw(R0, R1, FlowAggregateValue.offsetOf('count')),
    ldx.w(R1, R_STATE, at('bytes')),
    atomicAdd.dw(R0, R1, FlowAggregateValue.offsetOf('bytes')),
    ldx.dw(R1, R_STATE, at('ts')),
    stx.dw(R0, R1, FlowAggregateValue.offsetOf('lastSeen')),
    ja(done),
  ];
}

/** Count the allowed new flow in its aggregate (verdicts, slots and tag already in the state). */
export function aggregateAllowedFlow(): ProgramSource {
  const lookup = (): ProgramSource => [loadMap(R1, 'flow_aggregates'), statePointer(R2, 'aggKey'), call(Helper.map_lookup_elem)];
  return [
    note('flow aggregates: the allowed new flow adds to its flow-log entry in place'),
    aggregateKey(),
    lookup(),
    jeq.imm(R0, 0, 'agg_create'),
    addTo('agg_done'),
    label('agg_create'),
    st.dw(R_STATE, 1, value('count')),
    ldx.w(R1, R_STATE, at('bytes')),
    stx.dw(R_STATE, R1, value('bytes')),
    ldx.dw(R1, R_STATE, at('ts')),
    stx.dw(R_STATE, R1, value('firstSeen')),
    stx.dw(R_STATE, R1, value('lastSeen')),
    loadMap(R1, 'flow_aggregates'),
    statePointer(R2, 'aggKey'),
    statePointer(R3, 'aggValue'),
    mov64.imm(R4, UpdateFlag.NOEXIST),
    call(Helper.map_update_elem),
    jeq.imm(R0, 0, 'agg_done'),
    note('another CPU created the entry first, or the map is full'),
    lookup(),
    jeq.imm(R0, 0, 'agg_lost'),
    addTo('agg_done'),
    label('agg_lost'),
    countStat('agg_lost_stat', 'events_lost'),
    label('agg_done'),
  ];
}
