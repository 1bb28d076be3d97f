// Promote a staged policy (POST /v1/policies/{id}/promote): enforce what it has been recording. The
// object it stages is created or replaced (stagedAction Set) or removed (Delete), and the staged
// object goes; one write, one bundle.
import { promotionOf } from '../../../policy/kinds/calico/promote.ts';
import { ApiError, notFound } from '../../errors/api-error.ts';
import { requireId } from '../../http/ids.ts';
import type { TenantContext } from '../context.ts';
import { acceptPolicyDocument } from './accept.ts';
import { lockById, lockByIdentity, type PolicyRow } from './cluster-objects.ts';
import { type PolicyChange, writePolicies } from './write.ts';

export interface Promotion {
  enforced: PolicyRow | undefined;
  /** The id of the enforced object a Delete removed. */
  deleted: string | null;
}

export async function promotePolicy(ctx: TenantContext, input: { policyId: string }): Promise<Promotion> {
  const { rows, plan } = await writePolicies(ctx, async (tx) => {
    const staged = await lockById(tx, requireId(input.policyId, 'policy'));
    if (!staged) throw notFound('policy');
    const promotion = promotionOf(staged.manifest);
    if (!promotion) throw new ApiError('CONFLICT', `${staged.kind} ${staged.name} is not a staged policy; only staged kinds can be promoted`);
    const changes: PolicyChange[] = [];
    let deleted: string | null = null;
    if (promotion.action === 'delete') {
      const target = await lockByIdentity(tx, staged.clusterId, promotion.target);
      if (target) {
        changes.push({ action: 'delete', before: target });
        deleted = target.id;
      }
    } else {
      const object = acceptPolicyDocument(promotion.enforced);
      const existing = await lockByIdentity(tx, staged.clusterId, object);
      changes.push(existing ? { action: 'update', before: existing, object, pathPrefix: '' } : { action: 'create', object, pathPrefix: '' });
    }
    changes.push({ action: 'delete', before: staged });
    return { clusterId: staged.clusterId, changes, deleted, enforces: promotion.action !== 'delete' };
  });
  return { enforced: plan.enforces ? rows[0] : undefined, deleted: plan.deleted };
}
