// Ingress and egress rules of AdminNetworkPolicy and BaselineAdminNetworkPolicy (v1alpha1): a name
// of at most 100 characters, an action, 1-100 peers (ORed), optionally 1-100 ports (ORed; absent =
// every port). They differ only in the actions allowed and whether egress peers have domainNames.
import { z } from 'zod';
import type { Action, Rule } from '../../ir.ts';
import { invalidValue } from '../../validation/field-errors.ts';
import { maxLengthError } from '../../validation/names.ts';
import { addIssue } from '../issues.ts';
import { enumOf } from '../shared/enum.ts';
import { nonEmptyListOf } from '../shared/list.ts';
import { checkNamedPortsWithPeers, type EgressPeerInput, egressPeerSchema, ingressPeerSchema, namespacedPodSchema, peersOf } from './peers.ts';
import { type AdminPort, adminPortMatches, adminPortSchema } from './ports-v1alpha1.ts';

export const RULES_MAX = 100;
export const RULE_NAME_MAX_LENGTH = 100;

export const ruleNameSchema = z.string().superRefine((name, ctx) => {
  if (name.length > RULE_NAME_MAX_LENGTH) addIssue(ctx, [], invalidValue(name, maxLengthError(RULE_NAME_MAX_LENGTH)));
});

export function adminIngressRuleSchema<const A extends readonly [string, ...string[]]>(actions: A) {
  return z.strictObject({
    name: ruleNameSchema.optional(),
    action: enumOf(actions),
    from: nonEmptyListOf(ingressPeerSchema(namespacedPodSchema), RULES_MAX),
    ports: nonEmptyListOf(adminPortSchema, RULES_MAX).optional(),
  });
}

export function adminEgressRuleSchema<const A extends readonly [string, ...string[]]>(actions: A, options: { domainNames: boolean }) {
  return z
    .strictObject({
      name: ruleNameSchema.optional(),
      action: enumOf(actions),
      to: nonEmptyListOf(egressPeerSchema(namespacedPodSchema, options), RULES_MAX),
      ports: nonEmptyListOf(adminPortSchema, RULES_MAX).optional(),
    })
    .superRefine((rule, ctx) => {
      const hasNamedPort = (rule.ports ?? []).some((port) => port.namedPort !== undefined);
      checkNamedPortsWithPeers(rule.to as Record<string, unknown>[], hasNamedPort, ['ports'], ctx);
    });
}

export interface AdminRuleInput {
  name?: string | undefined;
  action: Action;
  ports?: AdminPort[] | undefined;
}

/** One rule in the IR; `peers` is its `from` (ingress) or `to` (egress). */
export function adminRuleToIr(rule: AdminRuleInput, peers: readonly EgressPeerInput[]): Rule {
  const resolved = peersOf(peers);
  const ir: Rule = {
    action: rule.action,
    ports: (rule.ports ?? []).flatMap(adminPortMatches),
    peers: resolved.peers,
  };
  if (rule.name) ir.name = rule.name;
  if (resolved.nodes.length > 0) ir.nodes = resolved.nodes;
  return ir;
}
