// A defaulted BandwidthPolicy in the IR: the subject is the selected pods of the policy's own
// namespace, quantities become concrete numbers (rate in bit/s, burst in bytes, the default burst
// applied and every burst raised to the floor, policy/bandwidth/burst.ts), so the agent never
// guesses.

import { burstBytesFromBits, defaultBurstBytes } from '../../bandwidth/burst.ts';
import { parseBitRate, parseBurstBits } from '../../bandwidth/quantity.ts';
import type { BandwidthLimit, BandwidthPolicy } from '../../ir.ts';
import { namespaceNamed } from '../../selector/build.ts';
import { labelSelectorToSelector } from '../shared/label-selector-ir.ts';
import type { DefaultedBandwidthPolicy } from './defaults.ts';
import type { BandwidthLimitSpec } from './schema.ts';

/** Validation accepted it already; this only reads the number. */
function quantity(text: string, parse: typeof parseBitRate): number {
  const parsed = parse(text);
  if (!parsed.ok) throw new Error(`invariant: quantity ${JSON.stringify(text)} passed validation but does not parse`);
  return parsed.value;
}

export function bandwidthLimitOf(spec: BandwidthLimitSpec): BandwidthLimit {
  const rateBitsPerSecond = quantity(spec.rate, parseBitRate);
  const burstBytes = spec.burst === undefined ? defaultBurstBytes(rateBitsPerSecond) : burstBytesFromBits(quantity(spec.burst, parseBurstBits));
  return { rateBitsPerSecond, burstBytes };
}

export function bandwidthPolicyId(namespace: string, name: string): string {
  return `BandwidthPolicy/${namespace}/${name}`;
}

export function normaliseBandwidthPolicy(policy: DefaultedBandwidthPolicy): BandwidthPolicy {
  const { name, namespace } = policy.metadata;
  const { spec } = policy;
  return {
    id: bandwidthPolicyId(namespace, name),
    namespace,
    name,
    subject: { namespaceSelector: namespaceNamed(namespace), podSelector: labelSelectorToSelector(spec.podSelector) },
    scope: spec.scope,
    ...(spec.ingress && { ingress: bandwidthLimitOf(spec.ingress) }),
    ...(spec.egress && { egress: bandwidthLimitOf(spec.egress) }),
  };
}
