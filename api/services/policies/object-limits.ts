// The plan limits one written object can be checked against on its own: rules in a policy and the
// match terms they ask for, CIDRs in a network set, the rates a BandwidthPolicy asks for. Limits that
// depend on the rest of the cluster (policies, rules per endpoint) are checked by the write service
// (./write.ts, ./endpoint-rules.ts).
import type { PlanLimits } from '../../../policy/plan/limits.ts';
import { writtenTermsOf } from '../../../policy/plan/written-terms.ts';
import { assertWithinLimit } from '../limits.ts';
import type { AcceptedPolicy } from './accept.ts';

/** `prefix` places field paths inside a multi-document apply (`3.`). */
export function assertObjectLimits(limits: PlanLimits, object: AcceptedPolicy, prefix: string): void {
  const { resource } = object;
  switch (resource.type) {
    case 'policy': {
      assertWithinLimit(limits, 'rulesPerPolicy', 0, object.ruleCount);
      // One endpoint the policy selects compiles at least this much, whatever the inventory says.
      const written = writtenTermsOf(resource.policy);
      assertWithinLimit(limits, 'rulesPerEndpoint', 0, written.terms, {
        path: `${prefix}spec.${written.direction}`,
        detail: `the policy's ${written.direction} rules ask for ${written.terms} match terms (peers and CIDRs times ports) on every endpoint it selects`,
      });
      return;
    }
    case 'networkSet':
      // Counted as the IR holds them (canonical, without repeats): what the agent loads.
      assertWithinLimit(limits, 'cidrsPerSet', 0, resource.networkSet.nets.length, { path: `${prefix}spec.nets` });
      return;
    case 'bandwidthPolicy':
      // A rate above the tenant's ceiling could never be reached: the ceiling caps the sum of all of
      // the tenant's pods on a node, this pod (or namespace) included.
      for (const direction of ['ingress', 'egress'] as const) {
        const limit = resource.bandwidthPolicy[direction];
        if (!limit) continue;
        assertWithinLimit(limits, 'bandwidthCeilingBitsPerSecond', 0, limit.rateBitsPerSecond, {
          path: `${prefix}spec.${direction}.rate`,
          detail: `the ${direction} rate, in bit/s, is above the tenant's bandwidth ceiling`,
        });
      }
      return;
    case 'tier':
    case 'hostEndpoint':
      return;
  }
}
