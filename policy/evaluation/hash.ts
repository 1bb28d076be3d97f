// Content hash of one endpoint direction's resolved policy, so the agent recompiles exactly the
// endpoints whose rules changed. Canonical JSON makes it independent of key order and of the
// process that computed it, so it can be compared with a hash kept on disk.
//
// Merkle-style: each rule's terms are hashed on their own and the direction hash covers those
// digests. Many endpoints share the same rule terms (a rule's peers resolve the same for every pod
// its policy selects), and a terms list can hold thousands of addresses: its digest is computed
// once and reused, instead of re-encoding the addresses for every endpoint.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../bundle/canonical-json.ts';
import type { Direction } from '../ir.ts';
import { cidrSetText } from './cidr-set.ts';
import type { MatchTerm, ResolvedTier } from './endpoint-policy.ts';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function rangesText(ranges: readonly { first: number; last: number }[]): string {
  let text = '';
  for (const r of ranges) text += `${r.first}-${r.last},`;
  return text;
}

/**
 * One term as text, every field tagged and in a fixed order, so distinct terms never read alike.
 * Written out by hand rather than as canonical JSON: a 10,000-rule policy hashes 10,000 terms per
 * endpoint, and building and sorting an object per term was most of the time to resolve it.
 * Remote sets enter as their canonical text (cidr-set.ts).
 */
function termText(t: MatchTerm): string {
  let text = `p:${t.protocol};d:${t.ports === 'any' ? 'any' : rangesText(t.ports)};r:${t.remote === 'any' ? 'any' : cidrSetText(t.remote)}`;
  if (t.protocolNumber !== undefined) text += `;n:${t.protocolNumber}`;
  if (t.ipVersion !== undefined) text += `;v:${t.ipVersion}`;
  if (t.icmp) text += `;i:${t.icmp.type}/${t.icmp.code ?? ''}`;
  if (t.srcPorts) text += `;s:${rangesText(t.srcPorts)}`;
  if (t.except) text += `;x:[${t.except.map(termText).join('|')}]`;
  return text;
}

/**
 * A terms list's stand-in in the direction hash: its text when short (a rule with one peer and one
 * port, the common case, where a SHA-256 per rule would cost more than hashing the text again), its
 * SHA-256 when long. Texts begin with `p:`, so neither form can be taken for the other.
 */
export function termsDigest(terms: readonly MatchTerm[]): string {
  const text = terms.map(termText).join('\n');
  return text.length <= 64 ? text : sha256(text);
}

export function directionPolicyHash(
  direction: Direction,
  tiers: readonly ResolvedTier[],
  digest: (terms: readonly MatchTerm[]) => string = termsDigest,
): string {
  const skeleton = tiers.map((tier) => ({
    ...tier,
    policies: tier.policies.map((policy) => ({
      ...policy,
      // one line per rule (index, action, terms digest): the rule's fields are fixed, and an object
      // per rule made canonical JSON the larger part of hashing a 10,000-rule policy
      rules: policy.rules.map((rule) => `${rule.index} ${rule.action} ${digest(rule.terms)}`).join('\n'),
    })),
  }));
  return sha256(canonicalJson({ direction, tiers: skeleton }));
}
