// Fair shares of a divided bucket (the tenant ceiling): a policer alone hands the ceiling to whoever
// sends first (two equal iperf3 pods under 80 Mbit/s measured 37.6 + 55.0). Each endpoint charged to
// the ceiling also has its own share bucket (GCRA, the ceiling's rate and burst) whose cost is
// multiplied by the number of active endpoints N, so it conforms at ceiling / N:
//
//   within its share   the ceiling admits it up to its whole burst
//   beyond its share   the ceiling lends only while it is less than half full: the other half stays
//                      for packets within their shares, so the drops land on whoever exceeds theirs;
//                      the share keeps the borrowed cost (up to twice its burst), so who borrowed
//                      most has to wait longest before its packets count as within its share again
//
// Measured (`npm run -s bench -- --only fairness --json`, iperf3 TCP, 80 Mbit/s, two runs of 3
// rounds): 2 pods 38.7-40.5 Mbit/s each, 4 pods 17.8-21.3, Jain's index >= 0.996 in every run; the
// policer alone gave 37.6 + 55.0.
//
// N is counted in the kernel, per epoch of 2^EPOCH_SHIFT ns (537 ms). An endpoint is active in an
// epoch once it has asked (passed or not) for 1/32 of the ceiling's time in it: a pod that only
// acknowledges a download is not counted as a sender, and a pod asking for less than its share is
// counted, so its share is reserved for it. The ceiling's `activeShares` word holds the
// epoch, the count of the epoch before and the count so far; N = max(both, 1), so a pod that stops
// leaves N after two epochs at most. Counting uses the atomics only (no spin lock without BTF): a
// lost compare-exchange when the epoch turns over skips one registration, which the pod's next
// epoch makes good.
import {
  add32,
  add64,
  and64,
  atomicAdd,
  atomicCmpXchg,
  atomicFetchAdd,
  call,
  ja,
  jeq,
  jeq32,
  jge,
  jlt,
  jne,
  jsgt,
  jsle,
  label,
  ldx,
  lsh64,
  mov32,
  mov64,
  mul64,
  neg64,
  note,
  or64,
  type ProgramSource,
  R0,
  R1,
  R2,
  R3,
  R4,
  R5,
  R7,
  R8,
  rsh64,
  st,
  stx,
  sub64,
} from '../../../bpf/asm/index.ts';
import { Helper } from '../../../bpf/kernel/constants.ts';
import { BandwidthBucketValue, BW_NO_BUCKET, BW_NS_PER_BYTE_SHIFT } from '../layouts.ts';
import { loadMap } from '../map-refs.ts';
import { at, R_STATE, statePointer } from './conventions.ts';

/**
 * Epochs of 2^29 ns (537 ms). A pod is counted for one to two epochs after it stops: long enough that
 * a sender waiting out a retransmission timeout (200 ms minimum, doubling) or starved of CPU on a
 * busy node keeps its share (with 134 ms epochs, and a mark that then depended on N, two iperf3
 * pods on a loaded 2-core lab node were counted as one for whole epochs, and lost their fairness), short enough that its reserved share
 * comes back within a second; meanwhile the others borrow it anyway.
 */
export const EPOCH_SHIFT = 29;
/**
 * Active from 1/32 of the ceiling's time in an epoch (3 %): above the acknowledgements a pod sends
 * for a download at the whole ceiling (one 66-byte ACK per two 1,448-byte segments is 2.3 %), below
 * a fair share of up to 32 senders. Not a fraction of a fair share: N would then decide who counts
 * towards N, and a low count raises the mark and keeps it low.
 */
const ACTIVE_ASK_NS = 2 ** EPOCH_SHIFT / 32;
const COUNT_MASK = 0xffff;

const B = (field: Parameters<typeof BandwidthBucketValue.offsetOf>[0]): number => BandwidthBucketValue.offsetOf(field);
const costField = (i: number) => `bwCost${i}` as 'bwCost0' | 'bwCost1' | 'bwCost2';

/** Label of the fair charge of the bucket at position i (the endpoint's last, with a share). */
const fairLabel = (i: number): string => `bw_fair_${i}`;

/**
 * The bucket at position i is the last of the endpoint's and bwShare names a share: jump to the fair
 * charge. Falls through otherwise (R1 is clobbered).
 */
export function toFairCharge(i: number, last: boolean): ProgramSource {
  const plain = `bw_plain_check_${i}`;
  return [
    ldx.w(R1, R_STATE, at('bwShare')),
    jeq32.imm(R1, BW_NO_BUCKET, plain),
    last ? [] : [ldx.w(R1, R_STATE, at(`bwBucket${i + 1}` as 'bwBucket1' | 'bwBucket2')), jeq32.imm(R1, BW_NO_BUCKET, fairLabel(i))],
    last ? ja(fairLabel(i)) : [],
    label(plain),
  ];
}

/** The local labels of the fair charge of position i. */
const local = (i: number) => (name: string) => `bw_fair_${i}_${name}`;

/** bwShareCost = N, the active endpoints of the divided bucket in R7 (R4 holds this epoch, kept). */
function activeCount(L: (name: string) => string): ProgramSource {
  return [
    ldx.dw(R0, R7, B('activeShares')),
    mov64.reg(R1, R0),
    rsh64.imm(R1, 32), // the word's epoch
    mov64.reg(R3, R0),
    and64.imm(R3, COUNT_MASK), // this epoch so far
    mov64.reg(R2, R0),
    rsh64.imm(R2, 16),
    and64.imm(R2, COUNT_MASK), // the epoch before
    jeq.reg(R1, R4, L('counts')),
    // the word is stale: its count so far is the epoch before's when it is the last epoch, else nothing
    mov64.reg(R2, R3),
    mov64.imm(R3, 0),
    add32.imm(R1, 1),
    jeq32.reg(R1, R4, L('counts')),
    mov64.imm(R2, 0),
    label(L('counts')),
    mov64.reg(R5, R3),
    jge.reg(R5, R2, L('max')),
    mov64.reg(R5, R2),
    label(L('max')),
    jne.imm(R5, 0, L('n')),
    mov64.imm(R5, 1),
    label(L('n')),
    stx.dw(R_STATE, R5, at('bwShareCost')), // N, until the share's cost replaces it
  ];
}

/**
 * Add what this packet asks (bwCost<i>) to the share bucket's (R8) ask this epoch (R4), up to the
 * mark; the packet that reaches the mark registers the endpoint in R7's count.
 */
function registerActivity(i: number, L: (name: string) => string): ProgramSource {
  return [
    mov64.imm(R5, ACTIVE_ASK_NS), // the mark
    ldx.dw(R0, R8, B('epochUse')),
    mov64.reg(R1, R0),
    rsh64.imm(R1, 32),
    jeq.reg(R1, R4, L('same_epoch')),
    mov64.reg(R1, R4),
    lsh64.imm(R1, 32),
    atomicCmpXchg.dw(R8, R1, B('epochUse')), // a new epoch starts at 0; a lost race means another CPU did it
    ja(L('ask')),
    label(L('same_epoch')),
    // past the mark: counted already (and the ask stops growing, so it never carries into the epoch)
    mov32.reg(R3, R0),
    jge.reg(R3, R5, L('counted')),
    label(L('ask')),
    ldx.dw(R2, R_STATE, at(costField(i))),
    mov64.reg(R1, R2),
    atomicFetchAdd.dw(R8, R1, B('epochUse')), // R1 = the word before this packet
    mov64.reg(R3, R1),
    rsh64.imm(R3, 32),
    jne.reg(R3, R4, L('counted')), // another CPU turned the epoch meanwhile: a later packet counts
    mov32.reg(R3, R1),
    jge.reg(R3, R5, L('counted')), // counted already
    add64.reg(R3, R2),
    jlt.reg(R3, R5, L('counted')), // not yet
    // this packet reaches the mark: one more active endpoint this epoch
    ldx.dw(R0, R7, B('activeShares')),
    mov64.reg(R1, R0),
    rsh64.imm(R1, 32),
    jeq.reg(R1, R4, L('add')),
    // the word is stale: a new epoch with this endpoint in it, the old count as the epoch before when it was the last one
    mov64.reg(R3, R4),
    lsh64.imm(R3, 32),
    add64.imm(R3, 1),
    add32.imm(R1, 1),
    jeq32.reg(R1, R4, L('carry')),
    ja(L('turn')),
    label(L('carry')),
    mov64.reg(R1, R0),
    and64.imm(R1, COUNT_MASK),
    lsh64.imm(R1, 16),
    or64.reg(R3, R1),
    label(L('turn')),
    mov64.reg(R2, R0),
    atomicCmpXchg.dw(R7, R3, B('activeShares')),
    jeq.reg(R0, R2, L('counted')),
    // lost the race: counted into the epoch another CPU started, or (its epoch not this one) not at all
    mov64.reg(R1, R0),
    rsh64.imm(R1, 32),
    jne.reg(R1, R4, L('counted')),
    label(L('add')),
    mov64.imm(R1, 1),
    atomicAdd.dw(R7, R1, B('activeShares')),
    label(L('counted')),
  ];
}

/**
 * Charge the last bucket, at position i, with the endpoint's share; jumps to bw_pass or bw_over_<i>.
 * A bucket or share outside the array is skipped (cannot happen: the agent writes both).
 */
export function fairCharge(i: number, lookupBucket: (i: number, missing: string) => ProgramSource): ProgramSource {
  const L = local(i);
  return [
    label(fairLabel(i)),
    note(`bandwidth: bucket ${i} is divided fairly among the active endpoints charged to it`),
    lookupBucket(i, 'bw_pass'),
    mov64.reg(R7, R0),
    ldx.w(R1, R_STATE, at('bwShare')),
    stx.w(R_STATE, R1, at('mapKey')),
    loadMap(R1, 'bw_buckets'),
    statePointer(R2, 'mapKey'),
    call(Helper.map_lookup_elem),
    jeq.imm(R0, 0, 'bw_pass'),
    mov64.reg(R8, R0),
    ldx.dw(R2, R7, B('nsPerByte')),
    ldx.w(R3, R_STATE, at('bytes')),
    mul64.reg(R2, R3),
    rsh64.imm(R2, BW_NS_PER_BYTE_SHIFT),
    stx.dw(R_STATE, R2, at(costField(i))),
    ldx.dw(R4, R_STATE, at('ts')),
    rsh64.imm(R4, EPOCH_SHIFT),
    mov32.reg(R4, R4), // this epoch, 32 bits
    activeCount(L),
    registerActivity(i, L),
    // the share: cost x N against the share bucket
    ldx.dw(R2, R_STATE, at(costField(i))),
    ldx.dw(R3, R_STATE, at('bwShareCost')),
    mul64.reg(R2, R3),
    stx.dw(R_STATE, R2, at('bwShareCost')),
    ldx.dw(R4, R_STATE, at('ts')),
    ldx.dw(R0, R8, B('tat')),
    jge.reg(R0, R4, L('share_charge')),
    atomicCmpXchg.dw(R8, R4, B('tat')),
    label(L('share_charge')),
    atomicFetchAdd.dw(R8, R2, B('tat')),
    sub64.reg(R2, R4),
    ldx.dw(R3, R8, B('burstNs')),
    ldx.dw(R5, R7, B('burstNs')),
    st.w(R_STATE, 1, at('bwShareCharged')),
    jsle.reg(R2, R3, L('ceiling')), // within the share
    rsh64.imm(R5, 1), // beyond it, borrowing: only from the first half of the ceiling's burst
    lsh64.imm(R3, 1),
    jsle.reg(R2, R3, L('ceiling')), // the share keeps the borrowed cost: who borrowed most has least priority next
    // the share's debt stops at twice its burst, so a pod that had the ceiling to itself for long waits its turn for a moment, not for ever
    ldx.dw(R1, R_STATE, at('bwShareCost')),
    neg64(R1),
    atomicAdd.dw(R8, R1, B('tat')),
    st.w(R_STATE, 0, at('bwShareCharged')),
    label(L('ceiling')),
    ldx.dw(R2, R_STATE, at(costField(i))),
    ldx.dw(R0, R7, B('tat')),
    jge.reg(R0, R4, L('ceiling_charge')),
    atomicCmpXchg.dw(R7, R4, B('tat')),
    label(L('ceiling_charge')),
    atomicFetchAdd.dw(R7, R2, B('tat')),
    sub64.reg(R2, R4),
    jsgt.reg(R2, R5, L('over')),
    mov64.imm(R1, 1),
    atomicAdd.dw(R7, R1, B('passedPackets')),
    ldx.w(R2, R_STATE, at('bytes')),
    atomicAdd.dw(R7, R2, B('passedBytes')),
    atomicAdd.dw(R8, R1, B('passedPackets')), // the share counts the endpoint's part of the ceiling
    atomicAdd.dw(R8, R2, B('passedBytes')),
    ja('bw_pass'),
    label(L('over')),
    // the share gets its cost back, unless it was given back already
    ldx.w(R3, R_STATE, at('bwShareCharged')),
    jeq.imm(R3, 0, L('share_drop')),
    ldx.dw(R1, R_STATE, at('bwShareCost')),
    neg64(R1),
    atomicAdd.dw(R8, R1, B('tat')),
    label(L('share_drop')),
    mov64.imm(R1, 1),
    atomicAdd.dw(R8, R1, B('droppedPackets')),
    ldx.w(R1, R_STATE, at('bytes')),
    atomicAdd.dw(R8, R1, B('droppedBytes')),
    ja(`bw_over_${i}`),
  ];
}
