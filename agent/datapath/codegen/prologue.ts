// Program entry: find the per-packet state, reset it, and make sure the headers are in the skb's
// linear data (direct packet access only sees that part).
import { add64, call, exit, jle, jne, label, ldx, mov64, note, type ProgramSource, R0, R1, R2, R3, R4, R10, st, stx } from '../../../bpf/asm/index.ts';
import { Helper, SkBuff } from '../../../bpf/kernel/constants.ts';
import { Fragment, HookCode, NO_SLOT } from '../layouts.ts';
import { PULL_BYTES } from '../limits.ts';
import { loadMap } from '../map-refs.ts';
import { at, countStat, HELPER_SKB_PULL_DATA, R_CTX, R_STATE, Ret } from './conventions.ts';
import type { Hook } from './hooks.ts';

export function prologue(hook: Hook, tag: number): ProgramSource {
  return [
    note(`prologue: ${hook} hook, program tag 0x${tag.toString(16).padStart(8, '0')}`),
    mov64.reg(R_CTX, R1),
    st.w(R10, 0, -4),
    loadMap(R1, 'state'),
    mov64.reg(R2, R10),
    add64.imm(R2, -4),
    call(Helper.map_lookup_elem),
    jne.imm(R0, 0, 'have_state'),
    // A per-CPU array always has entry 0; the verifier still wants the check. Fail closed.
    mov64.imm(R0, Ret.DROP),
    exit(),
    label('have_state'),
    mov64.reg(R_STATE, R0),
    call(Helper.ktime_get_ns),
    stx.dw(R_STATE, R0, at('ts')),
    st.w(R_STATE, tag, at('tag')),
    st.w(R_STATE, NO_SLOT, at('ruleSlot')),
    st.w(R_STATE, NO_SLOT, at('stagedSlot')),
    ldx.w(R1, R_CTX, SkBuff.len),
    stx.w(R_STATE, R1, at('bytes')),
    // kind, verdict, stagedVerdict, hook, tcpFlags, icmpType, pad: one store, then the hook
    st.dw(R_STATE, 0, at('kind')),
    st.b(R_STATE, hook === 'from-pod' ? HookCode.FROM_POD : HookCode.TO_POD, at('hook')),
    // conntrack key: zero all 48 bytes (IPv4 leaves 12 bytes of each address unused; hash keys
    // compare every byte), then the interface
    [0, 8, 16, 24, 32, 40].map((off) => st.dw(R_STATE, 0, at('ifindex') + off)),
    ldx.w(R1, R_CTX, SkBuff.ifindex),
    stx.w(R_STATE, R1, at('ifindex')),
    st.dw(R_STATE, 0, at('lpmAddr')),
    st.dw(R_STATE, 0, at('lpmAddr') + 8),
    st.w(R_STATE, Fragment.NONE, at('fragment')), // fragment, fragmentProto, pad
    st.w(R_STATE, 0, at('fragmentId')),

    note('headers into the linear part when the skb is paged (rare on a veth)'),
    ldx.w(R2, R_CTX, SkBuff.data),
    ldx.w(R3, R_CTX, SkBuff.data_end),
    ldx.w(R4, R_CTX, SkBuff.len),
    jle.imm(R4, PULL_BYTES, 'pull_length_known'),
    mov64.imm(R4, PULL_BYTES),
    label('pull_length_known'),
    mov64.reg(R0, R2),
    add64.reg(R0, R4),
    jle.reg(R0, R3, 'headers_linear'),
    mov64.reg(R1, R_CTX),
    mov64.reg(R2, R4),
    call(HELPER_SKB_PULL_DATA), // failure leaves the skb as it was: the bounds checks decide
    ldx.w(R2, R_CTX, SkBuff.data), // any helper that may change packet data invalidates pointers
    ldx.w(R3, R_CTX, SkBuff.data_end),
    label('headers_linear'),
  ];
}

/** Drop exits shared by the parser: one per reason. */
export function dropExits(): ProgramSource {
  return [
    label('drop_malformed_ethernet'),
    countStatAndDrop('malformed_ethernet'),
    label('drop_vlan'),
    countStatAndDrop('vlan_dropped'),
    label('drop_malformed_ipv4'),
    countStatAndDrop('malformed_ipv4'),
    label('drop_malformed_ipv6'),
    countStatAndDrop('malformed_ipv6'),
    label('drop_malformed_l4'),
    countStatAndDrop('malformed_l4'),
    label('drop_ipv6_ext_limit'),
    countStatAndDrop('ipv6_ext_limit'),
  ];
}

function countStatAndDrop(reason: Parameters<typeof countStat>[1]): ProgramSource {
  return [countStat(`stat_${reason}`, reason), mov64.imm(R0, Ret.DROP), exit()];
}
