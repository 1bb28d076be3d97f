// Delete one policy object by id (DELETE /v1/policies/{id}); repeating it succeeds (tombstones.ts).
import { requireId } from '../../http/ids.ts';
import type { TenantContext } from '../context.ts';
import { assertDeletedEarlier } from '../tombstones.ts';
import { lockById } from './cluster-objects.ts';
import { writePolicies } from './write.ts';

export async function deletePolicy(ctx: TenantContext, input: { policyId: string }): Promise<void> {
  await writePolicies(ctx, async (tx) => {
    const id = requireId(input.policyId, 'policy');
    const before = await lockById(tx, id);
    if (!before) {
      await assertDeletedEarlier(tx, 'policy', id, 'policy');
      return { changes: [] };
    }
    return { clusterId: before.clusterId, changes: [{ action: 'delete', before }] };
  });
}
