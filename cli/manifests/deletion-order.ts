// The order deletes go in: Tiers after everything else, since the API refuses to delete a Tier that
// still holds policies, and the policies in it may be among those being deleted.
import type { Policy } from '../api/policies.ts';

export const inDeletionOrder = (policies: readonly Policy[]): Policy[] => [
  ...policies.filter((policy) => policy.kind !== 'Tier'),
  ...policies.filter((policy) => policy.kind === 'Tier'),
];
