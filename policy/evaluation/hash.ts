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

/** Remote sets enter the digest as their canonical text (cidr-set.ts), not as JSON objects. */
function encodeTerm(t: MatchTerm): unknown {
  return {
    ...t,
    remote: t.remote === 'any' ? 'any' : `set ${cidrSetText(t.remote)}`,
    ...(t.except && { except: t.except.map(encodeTerm) }),
  };
}

export function termsDigest(terms: readonly MatchTerm[]): string {
  return sha256(canonicalJson(terms.map(encodeTerm)));
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
      rules: policy.rules.map((rule) => ({ index: rule.index, action: rule.action, terms: digest(rule.terms) })),
    })),
  }));
  return sha256(canonicalJson({ direction, tiers: skeleton }));
}
