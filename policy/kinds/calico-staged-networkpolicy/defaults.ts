// The GET form of a StagedNetworkPolicy: stagedAction defaulted to Set; a Delete keeps only its tier.

import { CALICO_API_VERSION } from '../calico/api-version.ts';
import { DEFAULT_TIER } from '../calico/policy-name.ts';
import type { StagedAction } from '../calico/staged.ts';
import { type StoredCalicoPolicySpec, storedCalicoPolicySpec } from '../calico/stored.ts';
import { type StoredObjectMeta, toStoredObjectMeta } from '../shared/object-meta.ts';
import { STAGED_NETWORK_POLICY_KIND, type StagedNetworkPolicyInput } from './schema.ts';

export type StoredStagedSpec<Spec> = (Spec & { stagedAction: 'Set' }) | { stagedAction: 'Delete'; tier: string };

export interface DefaultedStagedNetworkPolicy {
  apiVersion: typeof CALICO_API_VERSION;
  kind: typeof STAGED_NETWORK_POLICY_KIND;
  metadata: StoredObjectMeta;
  spec: StoredStagedSpec<StoredCalicoPolicySpec>;
}

export function storedStagedSpec<Input extends { stagedAction?: StagedAction | undefined; tier?: string | undefined }, Spec>(
  spec: Input,
  store: (spec: Input) => Spec,
): StoredStagedSpec<Spec> {
  if (spec.stagedAction === 'Delete') return { stagedAction: 'Delete', tier: spec.tier || DEFAULT_TIER };
  return { stagedAction: 'Set', ...store(spec) };
}

export function applyStagedNetworkPolicyDefaults(policy: StagedNetworkPolicyInput): DefaultedStagedNetworkPolicy {
  return {
    apiVersion: CALICO_API_VERSION,
    kind: STAGED_NETWORK_POLICY_KIND,
    metadata: toStoredObjectMeta(policy.metadata),
    spec: storedStagedSpec(policy.spec ?? {}, storedCalicoPolicySpec),
  };
}
