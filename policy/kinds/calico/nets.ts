// CIDRs in Calico rules (EntityRule `nets`, `notNets`): ParseCIDROrIP, so a bare address is a single
// host, and bits after the prefix are cleared: Calico's rule conversion normalises a net to its
// network, and its docs write `nets: ["1.2.3.4/16"]`. The write answers with a warning saying which
// network it read (hostBitsWarnings). Kubernetes' other strictness (no leading zeros, no IPv4-mapped
// IPv6) applies as for NetworkPolicy ipBlocks.
import { z } from 'zod';
import { CIDR_REASONS, type CidrSpelling, formatCidr, type ParsedCidr, parseCidr, parseCidrSpelled } from '../../validation/cidr.ts';
import { invalidValue } from '../../validation/field-errors.ts';
import { addIssue, type IssuePath, type PolicyIssue } from '../issues.ts';

export const RULE_NET_SPELLING: CidrSpelling = { bareAddress: true, clearHostBits: true };

export function calicoNetSchema(spelling: CidrSpelling) {
  return z.string().superRefine((text, ctx) => {
    const parsed = parseCidrSpelled(text, spelling);
    if (!parsed.ok) addIssue(ctx, [], invalidValue(text, parsed.reason));
  });
}

export function parsedNet(text: string, spelling: CidrSpelling): ParsedCidr | null {
  const parsed = parseCidrSpelled(text, spelling);
  return parsed.ok ? parsed.cidr : null;
}

/** The canonical text of a net validation accepted. */
export function canonicalNet(text: string, spelling: CidrSpelling): string {
  const parsed = parsedNet(text, spelling);
  if (!parsed) throw new Error(`invariant: net ${JSON.stringify(text)} passed validation but does not parse`);
  return formatCidr(parsed);
}

/**
 * A warning for every net in `nets` (at `path`) written with bits set after its prefix length, which
 * is read as its network: `1.2.3.4/16` means 1.2.0.0/16, which the writer may not have meant.
 */
export function hostBitsWarnings(nets: readonly string[] | undefined, path: IssuePath, spelling: CidrSpelling): PolicyIssue[] {
  return (nets ?? []).flatMap((text, i) => {
    if (!text.includes('/')) return [];
    const strict = parseCidr(text);
    if (strict.ok || strict.reason !== CIDR_REASONS.hostBits) return [];
    const network = parsedNet(text, spelling);
    if (!network) return [];
    return [{ path: [...path, i], message: `${JSON.stringify(text)} has bits set after the prefix length: read as the network ${formatCidr(network)}` }];
  });
}

interface RuleNets {
  source?: { nets?: readonly string[] | undefined; notNets?: readonly string[] | undefined } | undefined;
  destination?: { nets?: readonly string[] | undefined; notNets?: readonly string[] | undefined } | undefined;
}

/** hostBitsWarnings for every rule net of a Calico policy spec, with paths from the object's root. */
export function ruleNetWarnings(spec: { ingress?: readonly RuleNets[] | undefined; egress?: readonly RuleNets[] | undefined } | undefined): PolicyIssue[] {
  return (['ingress', 'egress'] as const).flatMap((direction) =>
    (spec?.[direction] ?? []).flatMap((rule, i) =>
      (['source', 'destination'] as const).flatMap((side) =>
        (['nets', 'notNets'] as const).flatMap((field) => hostBitsWarnings(rule[side]?.[field], ['spec', direction, i, side, field], RULE_NET_SPELLING)),
      ),
    ),
  );
}
