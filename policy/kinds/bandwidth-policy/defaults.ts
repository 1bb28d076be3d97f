// The stored (GET) form of a BandwidthPolicy: `scope` defaulted to Pod, the selector in its GET form,
// quantities as written (a burst left out stays out: its default is applied in the IR).
import { type LabelSelector, toStoredLabelSelector } from '../shared/label-selector.ts';
import { type StoredObjectMeta, toStoredObjectMeta } from '../shared/object-meta.ts';
import { BANDWIDTH_POLICY_API_VERSION, BANDWIDTH_POLICY_KIND, type BandwidthLimitSpec, type BandwidthPolicyInput } from './schema.ts';

export interface DefaultedBandwidthPolicy {
  apiVersion: typeof BANDWIDTH_POLICY_API_VERSION;
  kind: typeof BANDWIDTH_POLICY_KIND;
  metadata: StoredObjectMeta;
  spec: {
    podSelector: LabelSelector;
    scope: 'Pod' | 'Namespace';
    ingress?: BandwidthLimitSpec;
    egress?: BandwidthLimitSpec;
  };
}

function storedLimit(limit: BandwidthLimitSpec): BandwidthLimitSpec {
  return limit.burst === undefined ? { rate: limit.rate } : { rate: limit.rate, burst: limit.burst };
}

export function applyBandwidthPolicyDefaults(policy: BandwidthPolicyInput): DefaultedBandwidthPolicy {
  const { spec } = policy;
  return {
    apiVersion: BANDWIDTH_POLICY_API_VERSION,
    kind: BANDWIDTH_POLICY_KIND,
    metadata: toStoredObjectMeta(policy.metadata),
    spec: {
      podSelector: toStoredLabelSelector(spec.podSelector),
      scope: spec.scope ?? 'Pod',
      ...(spec.ingress && { ingress: storedLimit(spec.ingress) }),
      ...(spec.egress && { egress: storedLimit(spec.egress) }),
    },
  };
}
