// What palisade enforces of a doNotTrack GlobalNetworkPolicy, checked at write time so the agent
// never meets a rule it would have to guess at. Untracked rules run on the host endpoint's
// interface at XDP, before connection tracking (the agent's datapath README, "Host endpoints"):
// - ingress only: XDP sees packets arriving on the interface, never the ones leaving it;
// - Deny only: an untracked Allow lets a packet in without a conntrack entry, so its reply would
//   need an untracked egress Allow too (Calico docs "Summary of host endpoint policies"); with
//   Deny alone the rules' order among each other changes no verdict, only which rule counts it;
// - the remote end by `nets` and `selector` (pods and network sets, resolved to addresses by the
//   agent), the protocol and numeric destination ports: what an XDP program reads from the headers.
// Anything else is refused at its field path rather than accepted and enforced differently.
import type { z } from 'zod';
import { forbidden, unsupportedValue } from '../../validation/field-errors.ts';
import { addIssue } from '../issues.ts';
import type { CalicoEntityRule } from './entity-rule.ts';
import { parseCalicoPort } from './ports.ts';
import type { CalicoRule } from './rule.ts';

const WHY = 'doNotTrack rules are enforced at XDP';

/** Entity fields an untracked rule may use, per side. */
const ALLOWED_ENTITY_FIELDS: Record<'source' | 'destination', readonly (keyof CalicoEntityRule)[]> = {
  source: ['nets', 'selector'],
  destination: ['ports'],
};

/** Rule fields beyond the two entities; `metadata` only annotates. */
const ALLOWED_RULE_FIELDS: readonly (keyof CalicoRule)[] = ['action', 'protocol', 'ipVersion', 'source', 'destination', 'metadata'];

interface UntrackedSpec {
  doNotTrack?: boolean | undefined;
  types?: readonly string[] | undefined;
  ingress?: readonly CalicoRule[] | undefined;
  egress?: readonly unknown[] | undefined;
  namespaceSelector?: string | undefined;
  serviceAccountSelector?: string | undefined;
}

function checkRule(rule: CalicoRule, i: number, ctx: z.RefinementCtx): void {
  const at = ['ingress', i];
  if (rule.action !== 'Deny') addIssue(ctx, [...at, 'action'], `${unsupportedValue(rule.action, ['Deny'])} (${WHY}, where only Deny is supported)`);
  for (const field of Object.keys(rule) as (keyof CalicoRule)[]) {
    if (!ALLOWED_RULE_FIELDS.includes(field)) addIssue(ctx, [...at, field], forbidden(`${WHY}: ${field} is not supported there`));
  }
  for (const side of ['source', 'destination'] as const) {
    const entity = rule[side];
    if (!entity) continue;
    for (const field of Object.keys(entity) as (keyof CalicoEntityRule)[]) {
      if (!ALLOWED_ENTITY_FIELDS[side].includes(field)) addIssue(ctx, [...at, side, field], forbidden(`${WHY}: ${side}.${field} is not supported there`));
    }
  }
  (rule.destination?.ports ?? []).forEach((port, j) => {
    const parsed = parseCalicoPort(port);
    if (parsed.ok && 'name' in parsed.port) addIssue(ctx, [...at, 'destination', 'ports', j], forbidden(`${WHY}: named ports are not supported there`));
  });
}

/** The checks above, for a spec with doNotTrack set (nothing otherwise). */
export function checkUntrackedPolicy(spec: UntrackedSpec, ctx: z.RefinementCtx): void {
  if (!spec.doNotTrack) return;
  if ((spec.egress?.length ?? 0) > 0) addIssue(ctx, ['egress'], forbidden(`${WHY}, on arriving packets: egress rules are not supported`));
  if (spec.types?.includes('Egress')) addIssue(ctx, ['types'], forbidden(`${WHY}, on arriving packets: the 'Egress' type is not supported`));
  if (spec.namespaceSelector) addIssue(ctx, ['namespaceSelector'], forbidden('a doNotTrack policy selects host endpoints, which have no namespace'));
  if (spec.serviceAccountSelector)
    addIssue(ctx, ['serviceAccountSelector'], forbidden('a doNotTrack policy selects host endpoints, which have no service account'));
  for (const [i, rule] of (spec.ingress ?? []).entries()) checkRule(rule, i, ctx);
}
