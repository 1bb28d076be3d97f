// Bandwidth policing: the last step of every allowed packet (new flows the policy allows, packets
// of established flows, admitted later fragments) in programs of endpoints that have limits.
// Programs of endpoints without limits do not contain this code at all (CompileOptions.bandwidth).
//
// The endpoint is found by interface and hook in `bw_endpoints` (programs are shared between
// endpoints, so the buckets are data, not code); each of its up to three buckets (pod, namespace,
// tenant) is charged in turn with GCRA (layouts.ts BandwidthBucketValue):
//
//   cost = len * nsPerByte >> 16
//   if tat < now: cmpxchg(tat, tat -> now)       ; idle: start from now (a lost race means another CPU did)
//   old = atomic_fetch_add(tat, cost)
//   if old - now > burstNs: over the limit       ; signed: another CPU's `now` may be a little later
//
// The check uses tat before this packet's cost, so a packet larger than the burst still passes an
// idle bucket (a 64 KiB GSO packet must never be undeliverable). Over the limit, the bucket gets its
// cost back, the drop is counted on it, and every bucket charged before it gets its cost (and the
// passed count) back too, so a packet another bucket refuses consumes nothing. Non-IP packets and
// neighbour discovery pass uncharged: they are tiny and starving them would break the pod.
//
// When the endpoint has a fair share of its last bucket (the tenant ceiling), that bucket is charged
// by fair-share.ts instead: within the share up to the whole burst, beyond it only while the
// ceiling is less than half full.
import {
  atomicAdd,
  atomicCmpXchg,
  atomicFetchAdd,
  call,
  jeq,
  jeq32,
  jge,
  jsgt,
  label,
  ldx,
  mov64,
  mul64,
  neg64,
  note,
  type ProgramSource,
  R0,
  R1,
  R2,
  R3,
  R4,
  R7,
  rsh64,
  st,
  stx,
  sub64,
} from '../../../bpf/asm/index.ts';
import { Helper, SkBuff } from '../../../bpf/kernel/constants.ts';
import { BandwidthBucketValue, BandwidthEndpointValue, BW_BUCKETS_PER_ENDPOINT, BW_NO_BUCKET, BW_NS_PER_BYTE_SHIFT, HookCode } from '../layouts.ts';
import { loadMap } from '../map-refs.ts';
import { at, R_CTX, R_STATE, Ret, returnWith, statePointer } from './conventions.ts';
import { fairCharge, toFairCharge } from './fair-share.ts';
import type { Hook } from './hooks.ts';

/** Where allowed packets go in a program with bandwidth code. */
export const BANDWIDTH_LABEL = 'bandwidth';

const bucketField = (i: number) => `bwBucket${i}` as 'bwBucket0' | 'bwBucket1' | 'bwBucket2';
const costField = (i: number) => `bwCost${i}` as 'bwCost0' | 'bwCost1' | 'bwCost2';
const endpointField = (i: number) => `bucket${i}` as 'bucket0' | 'bucket1' | 'bucket2';
const B = (field: Parameters<typeof BandwidthBucketValue.offsetOf>[0]): number => BandwidthBucketValue.offsetOf(field);

/** R0 = the bucket whose index is in state field `bwBucket<i>`; jumps to `missing` when there is none. */
function lookupBucket(i: number, missing: string): ProgramSource {
  return [
    ldx.w(R1, R_STATE, at(bucketField(i))),
    stx.w(R_STATE, R1, at('mapKey')),
    loadMap(R1, 'bw_buckets'),
    statePointer(R2, 'mapKey'),
    call(Helper.map_lookup_elem),
    jeq.imm(R0, 0, missing),
  ];
}

/** Charge bucket i; falls through when the packet conforms, jumps to bw_over_<i> when not. */
function charge(i: number): ProgramSource {
  const next = i + 1 < BW_BUCKETS_PER_ENDPOINT ? `bw_bucket_${i + 1}` : 'bw_pass';
  return [
    label(`bw_bucket_${i}`),
    // indexes are packed from the first: the first unused one ends the list
    ldx.w(R1, R_STATE, at(bucketField(i))),
    jeq32.imm(R1, BW_NO_BUCKET, 'bw_pass'),
    toFairCharge(i, i + 1 === BW_BUCKETS_PER_ENDPOINT),
    // an index outside the array is skipped, here and when refunding (cannot happen: the agent writes both)
    lookupBucket(i, next),
    mov64.reg(R7, R0),
    ldx.dw(R2, R7, B('nsPerByte')),
    ldx.w(R3, R_STATE, at('bytes')),
    mul64.reg(R2, R3),
    rsh64.imm(R2, BW_NS_PER_BYTE_SHIFT),
    stx.dw(R_STATE, R2, at(costField(i))),
    ldx.dw(R4, R_STATE, at('ts')), // now
    ldx.dw(R0, R7, B('tat')),
    jge.reg(R0, R4, `bw_charge_${i}`),
    atomicCmpXchg.dw(R7, R4, B('tat')), // R0 holds the tat we read: replaced by now only if nobody moved it
    label(`bw_charge_${i}`),
    atomicFetchAdd.dw(R7, R2, B('tat')), // R2 = tat before this packet
    sub64.reg(R2, R4),
    ldx.dw(R3, R7, B('burstNs')),
    jsgt.reg(R2, R3, `bw_over_${i}`),
    mov64.imm(R1, 1),
    atomicAdd.dw(R7, R1, B('passedPackets')),
    ldx.w(R1, R_STATE, at('bytes')),
    atomicAdd.dw(R7, R1, B('passedBytes')),
  ];
}

/** Give bucket j back its cost and its passed count (a later bucket refused the packet). */
function refund(j: number, name: string): ProgramSource {
  const done = `${name}_done`;
  return [
    lookupBucket(j, done),
    ldx.dw(R1, R_STATE, at(costField(j))),
    neg64(R1),
    atomicAdd.dw(R0, R1, B('tat')),
    mov64.imm(R1, -1),
    atomicAdd.dw(R0, R1, B('passedPackets')),
    ldx.w(R1, R_STATE, at('bytes')),
    neg64(R1),
    atomicAdd.dw(R0, R1, B('passedBytes')),
    label(done),
  ];
}

/** Bucket i refused: its cost back, the drop counted on it, earlier buckets refunded, drop. */
function over(i: number): ProgramSource {
  return [
    label(`bw_over_${i}`),
    ldx.dw(R1, R_STATE, at(costField(i))),
    neg64(R1),
    atomicAdd.dw(R7, R1, B('tat')),
    mov64.imm(R1, 1),
    atomicAdd.dw(R7, R1, B('droppedPackets')),
    ldx.w(R1, R_STATE, at('bytes')),
    atomicAdd.dw(R7, R1, B('droppedBytes')),
    Array.from({ length: i }, (_, j) => refund(j, `bw_over_${i}_refund_${j}`)),
    returnWith(Ret.DROP),
  ];
}

export function bandwidthSection(hook: Hook): ProgramSource {
  return [
    label(BANDWIDTH_LABEL),
    note('bandwidth: charge the packet to each bucket of this endpoint and hook (GCRA); any over its limit drops it'),
    ldx.w(R1, R_CTX, SkBuff.ifindex),
    stx.w(R_STATE, R1, at('bwIfindex')),
    st.w(R_STATE, hook === 'from-pod' ? HookCode.FROM_POD : HookCode.TO_POD, at('bwHook')),
    loadMap(R1, 'bw_endpoints'),
    statePointer(R2, 'bwIfindex'),
    call(Helper.map_lookup_elem),
    jeq.imm(R0, 0, 'bw_pass'), // no limit on this interface (an endpoint sharing the program, or mid-apply)
    Array.from({ length: BW_BUCKETS_PER_ENDPOINT }, (_, i) => [
      ldx.w(R1, R0, BandwidthEndpointValue.offsetOf(endpointField(i))),
      stx.w(R_STATE, R1, at(bucketField(i))),
    ]),
    ldx.w(R1, R0, BandwidthEndpointValue.offsetOf('share')),
    stx.w(R_STATE, R1, at('bwShare')),
    Array.from({ length: BW_BUCKETS_PER_ENDPOINT }, (_, i) => charge(i)),
    label('bw_pass'),
    returnWith(Ret.ALLOW),
    Array.from({ length: BW_BUCKETS_PER_ENDPOINT }, (_, i) => fairCharge(i, lookupBucket)),
    Array.from({ length: BW_BUCKETS_PER_ENDPOINT }, (_, i) => over(i)),
  ];
}
