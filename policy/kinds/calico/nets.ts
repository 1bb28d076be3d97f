// CIDRs in Calico rules (EntityRule `nets`, `notNets`): ParseCIDROrIP, so a bare address is a single
// host, and strictly masked ("net" validator: the address must be the network's). Kubernetes' other
// strictness (no leading zeros, no IPv4-mapped IPv6) applies as for NetworkPolicy ipBlocks.
import { z } from 'zod';
import { type CidrSpelling, formatCidr, type ParsedCidr, parseCidrSpelled } from '../../validation/cidr.ts';
import { invalidValue } from '../../validation/field-errors.ts';
import { addIssue } from '../issues.ts';

export const RULE_NET_SPELLING: CidrSpelling = { bareAddress: true };

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
