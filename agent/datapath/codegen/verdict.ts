// After parsing and conntrack: evaluate a new flow (enforced, then staged), act on the verdict,
// record and report. Also the exits that need no policy (established flows, failsafe, non-IP).
import { ja, jeq, jne, label, ldx, note, type ProgramSource, R1, st, stx } from '../../../bpf/asm/index.ts';
import type { DirectionPolicy } from '../../../policy/evaluation/endpoint-policy.ts';
import { FlowKind, NO_SLOT, VerdictCode } from '../layouts.ts';
import { bandwidthSection } from './bandwidth.ts';
import { conntrackCreate } from './conntrack.ts';
import { at, countRule, countStat, emitFlowEvent, R_STATE, Ret, returnWith } from './conventions.ts';
import type { EvaluationStrategy, StrategyContext } from './evaluation.ts';
import { aggregateAllowedFlow } from './flow-aggregates.ts';
import { recordFirstFragment } from './fragments.ts';
import type { Hook } from './hooks.ts';

export function hasStagedPolicies(policy: DirectionPolicy | null): boolean {
  return policy?.tiers.some((tier) => tier.policies.some((p) => p.staged || p.stagedOut)) ?? false;
}

export interface PolicySection {
  policy: DirectionPolicy | null;
  strategy: EvaluationStrategy;
  context: StrategyContext;
  tag: number;
}

export function policySection({ policy, strategy, context, tag }: PolicySection): ProgramSource {
  const enforced: ProgramSource = policy
    ? strategy.generate(policy, { mode: 'enforced', labelPrefix: '', allowLabel: 'enforced_allow', denyLabel: 'enforced_deny' }, context)
    : [
        note('no policy selects the endpoint for this direction: allow (the program still records flows for replies)'),
        st.w(R_STATE, NO_SLOT, at('ruleSlot')),
        ja('enforced_allow'),
      ];
  const staged: ProgramSource = hasStagedPolicies(policy)
    ? [
        note('staged: what the policies would decide with staged ones enforced; never changes the verdict'),
        strategy.generate(policy!, { mode: 'staged', labelPrefix: 'staged_', allowLabel: 'staged_allow', denyLabel: 'staged_deny' }, context),
        label('staged_allow'),
        st.b(R_STATE, VerdictCode.ALLOW, at('stagedVerdict')),
        ja('finish'),
        label('staged_deny'),
        st.b(R_STATE, VerdictCode.DENY, at('stagedVerdict')),
      ]
    : [];
  return [
    label('policy'),
    note('policy: a new flow'),
    lpmKey(),
    enforced,
    label('enforced_allow'),
    st.b(R_STATE, VerdictCode.ALLOW, at('verdict')),
    ja('enforced_decided'),
    label('enforced_deny'),
    st.b(R_STATE, VerdictCode.DENY, at('verdict')),
    label('enforced_decided'),
    countRule('count_decided', { fromField: 'ruleSlot' }),
    staged,
    label('finish'),
    ldx.b(R1, R_STATE, at('verdict')),
    jeq.imm(R1, VerdictCode.DENY, 'deny_new'),
    conntrackCreate(tag),
    aggregateAllowedFlow(),
    ja('record_fragment'),
    label('deny_new'),
    emitFlowEvent('event_denied', FlowKind.DENIED),
    countStat('stat_policy_denied', 'policy_denied'),
    returnWith(Ret.DROP),
  ];
}

/** The remote address and its family into the LPM lookup key (the set word is written per lookup). */
function lpmKey(): ProgramSource {
  return [
    [0, 4, 8, 12].map((off) => [ldx.w(R1, R_STATE, at('remote') + off), stx.w(R_STATE, R1, at('lpmAddr') + off)]),
    st.w(R_STATE, 64, at('lpmPrefixlen')), // 32 bits of set word + 32 of IPv4
    ldx.b(R1, R_STATE, at('family')),
    jne.imm(R1, 6, 'lpm_key_ready'),
    st.w(R_STATE, 160, at('lpmPrefixlen')), // + 128 of IPv6
    label('lpm_key_ready'),
  ];
}

/**
 * Exits that need no policy. Every allowed IP packet ends at `allow_established` (new flows jump
 * to its `record_fragment` part): with `bandwidth` it is charged to the endpoint's token buckets
 * there (codegen/bandwidth.ts) before it passes.
 */
export function shortcutExits(hook: Hook, bandwidth: boolean): ProgramSource {
  return [
    label('allow_established'),
    recordFirstFragment(),
    bandwidth ? bandwidthSection(hook) : returnWith(Ret.ALLOW),
    label('nd_failsafe'),
    countStat('stat_nd_failsafe', 'nd_failsafe'),
    returnWith(Ret.ALLOW),
    label('non_ip'),
    countStat('stat_non_ip', 'non_ip_passed'),
    returnWith(Ret.ALLOW),
  ];
}
