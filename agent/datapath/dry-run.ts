// A dataplane that enforces nothing and says so: it logs what it was asked to enforce. For labs,
// for bringing the agent up against a control plane before the eBPF dataplane is on the node, and
// for watching what a policy change would touch. Selected only by `dataplane: dry-run`.
import type { Logger } from 'pino';
import { endpointKey } from '../../policy/inventory.ts';
import { IR_FEATURES } from '../../policy/ir-features.ts';
import type { ApplyReport, Dataplane } from './dataplane.ts';

export function createDryRunDataplane(logger: Logger): Dataplane {
  return {
    // It enforces nothing, so no feature is enforced wrongly: every bundle passes through to the log.
    supportedIrFeatures: IR_FEATURES,
    async apply({ bundle, inventory }): Promise<ApplyReport> {
      const local = inventory.endpoints.filter((endpoint) => endpoint.hostInterface !== undefined);
      const policies = bundle.policy.tiers.reduce((sum, tier) => sum + tier.policies.length, 0);
      logger.warn(
        { revision: bundle.revision, tiers: bundle.policy.tiers.length, policies, localEndpoints: local.length, endpoints: inventory.endpoints.length },
        'dry-run dataplane: nothing is enforced',
      );
      return { applied: true, programs: Object.fromEntries(local.map((endpoint) => [endpointKey(endpoint), { strategy: 'dry-run' }])), errors: [] };
    },
    async close() {},
  };
}
