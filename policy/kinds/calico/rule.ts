// Calico's Rule with libcalico-go's validateRule (lib/validator/v3/validator.go): ports only with a
// protocol that has them, ICMP fields only with ICMP or ICMPv6, ipVersion consistent with the ICMP
// protocols and with the CIDRs, and one address family per rule. Application layer policy (`http`)
// is refused: the agent enforces layers 3 and 4 only. A destination service brings its own ports
// (./service-match.ts).
import { z } from 'zod';
import { forbidden, invalidValue } from '../../validation/field-errors.ts';
import { addIssue, type IssuePath } from '../issues.ts';
import { enumOf } from '../shared/enum.ts';
import { stringMapSchema } from '../shared/label-map.ts';
import { type CalicoEntityRule, calicoEntityRuleSchema } from './entity-rule.ts';
import { calicoIcmpSchema } from './icmp.ts';
import { parsedNet, RULE_NET_SPELLING } from './nets.ts';
import { type CalicoProtocol, calicoProtocolSchema, isIcmp, supportsPorts } from './protocol.ts';
import { checkServiceRule } from './service-match.ts';

export const CALICO_ACTIONS = ['Allow', 'Deny', 'Log', 'Pass'] as const;

export const ipVersionSchema = z.union([z.literal(4), z.literal(6)], {
  error: (issue) => (issue.input === undefined ? undefined : `Unsupported value: ${JSON.stringify(issue.input)}: supported values: 4, 6`),
});

const PORTS_NEED_PROTOCOL = 'rules that specify ports must set protocol to TCP, UDP or SCTP';

function checkPorts(rule: CalicoRuleShape, ctx: z.RefinementCtx): void {
  if (supportsPorts(rule.protocol)) return;
  for (const side of ['source', 'destination'] as const) {
    for (const field of ['ports', 'notPorts'] as const) {
      if ((rule[side]?.[field]?.length ?? 0) > 0) addIssue(ctx, [side, field], forbidden(PORTS_NEED_PROTOCOL));
    }
  }
}

function checkIcmp(rule: CalicoRuleShape, ctx: z.RefinementCtx): void {
  if (rule.icmp !== undefined && isIcmp(rule.protocol) === null) {
    addIssue(ctx, ['icmp'], forbidden('rules that specify ICMP fields must set protocol to ICMP or ICMPv6'));
  }
  for (const field of ['protocol', 'notProtocol'] as const) {
    const family = isIcmp(rule[field]);
    if (family !== null && rule.ipVersion !== undefined && rule.ipVersion !== family) {
      addIssue(ctx, ['ipVersion'], invalidValue(rule.ipVersion, `must be ${family} with ${field} ${family === 4 ? 'ICMP' : 'ICMPv6'}`));
    }
  }
}

/** One address family per rule, and the family of ipVersion when that is given (scanNets). */
function checkNets(rule: CalicoRuleShape, ctx: z.RefinementCtx): void {
  const seen = new Set<4 | 6>();
  for (const side of ['source', 'destination'] as const) {
    for (const field of ['nets', 'notNets'] as const) {
      const families = new Set<4 | 6>();
      for (const text of rule[side]?.[field] ?? []) {
        const net = parsedNet(text, RULE_NET_SPELLING);
        if (net) families.add(net.family);
      }
      const path: IssuePath = [side, field];
      if (rule.ipVersion !== undefined && [...families].some((f) => f !== rule.ipVersion)) {
        addIssue(ctx, path, invalidValue(rule[side]?.[field], "rule IP version doesn't match CIDR version"));
      }
      const mixes = families.size > 1 || [...families].some((f) => seen.size > 0 && !seen.has(f));
      if (mixes) addIssue(ctx, path, invalidValue(rule[side]?.[field], 'rule contains both IPv4 and IPv6 CIDRs'));
      for (const f of families) seen.add(f);
    }
  }
}

interface CalicoRuleShape {
  protocol?: CalicoProtocol | undefined;
  notProtocol?: CalicoProtocol | undefined;
  icmp?: unknown;
  ipVersion?: 4 | 6 | undefined;
  source?: CalicoEntityRule | undefined;
  destination?: CalicoEntityRule | undefined;
  http?: unknown;
}

export const calicoRuleSchema = z
  .strictObject({
    action: enumOf(CALICO_ACTIONS),
    protocol: calicoProtocolSchema.optional(),
    notProtocol: calicoProtocolSchema.optional(),
    icmp: calicoIcmpSchema.optional(),
    notICMP: calicoIcmpSchema.optional(),
    ipVersion: ipVersionSchema.optional(),
    source: calicoEntityRuleSchema.optional(),
    destination: calicoEntityRuleSchema.optional(),
    http: z.unknown().optional(),
    /** Per-rule annotations: kept in the stored form, no effect on enforcement. */
    metadata: z.strictObject({ annotations: stringMapSchema.optional() }).optional(),
  })
  .superRefine((rule, ctx) => {
    checkPorts(rule, ctx);
    checkIcmp(rule, ctx);
    checkNets(rule, ctx);
    checkServiceRule(rule, ctx);
    if (rule.http !== undefined) addIssue(ctx, ['http'], forbidden('application layer policy (HTTP matches) is not supported'));
  });
export type CalicoRule = z.infer<typeof calicoRuleSchema>;
