// POST /v1/policies/{id}/promote: enforce what a staged policy has been recording. The staged object
// becomes (or replaces) the policy it stages, or, for stagedAction Delete, removes it; the staged
// object goes. One transaction, one bundle.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { and, eq, sql } from 'drizzle-orm';
import { newId, withTenant } from '../../../db/index.ts';
import { policies } from '../../../db/schema/index.ts';
import { promotionOf } from '../../../policy/kinds/calico/promote.ts';
import type { AppEnv } from '../../env.ts';
import { ApiError, notFound } from '../../errors/api-error.ts';
import { requireId } from '../../http/ids.ts';
import { requireRole } from '../../middleware/auth.ts';
import { idParam, jsonContent, writeErrors } from '../../schemas/common.ts';
import { recordAudit } from '../../services/audit.ts';
import { assertObjectLimits } from '../../services/object-limits.ts';
import { acceptPolicyDocument, assertTiersExist } from '../../services/policies.ts';
import { lockTenantLimits } from '../../services/limits.ts';
import { announcePolicyChange } from '../../services/outbox.ts';
import { policySchema, presentPolicy } from './schemas.ts';

const route = createRoute({
  method: 'post',
  path: '/v1/policies/{id}/promote',
  operationId: 'promoteStagedPolicy',
  summary: 'Enforce a staged policy: it becomes the policy it stages (or deletes it), and the staged object goes',
  tags: ['policies'],
  security: [{ apiKey: [] }],
  request: { params: idParam },
  responses: {
    200: jsonContent(z.object({ enforced: policySchema.nullable(), deleted: z.string().nullable() }).openapi('Promotion'), 'Promoted'),
    ...writeErrors,
  },
});

export function registerPromote(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    const caller = c.get('caller');
    requireRole(caller.role, 'editor');
    const id = requireId(c.req.valid('param').id, 'policy');
    const body = await withTenant(c.get('services').database.db, caller.tenantId, async (tx) => {
      const [staged] = await tx.select().from(policies).where(eq(policies.id, id)).for('update');
      if (!staged) throw notFound('policy');
      const promotion = promotionOf(staged.manifest);
      if (!promotion) throw new ApiError('CONFLICT', `${staged.kind} ${staged.name} is not a staged policy; only staged kinds can be promoted`);
      const identity = (apiVersion: string, kind: string) =>
        and(eq(policies.clusterId, staged.clusterId), eq(policies.apiVersion, apiVersion), eq(policies.kind, kind), eq(policies.namespace, staged.namespace), eq(policies.name, staged.name));

      let enforced: typeof policies.$inferSelect | undefined;
      let deleted: string | null = null;
      if (promotion.action === 'delete') {
        const [removed] = await tx.delete(policies).where(identity(promotion.target.apiVersion, promotion.target.kind)).returning();
        if (removed) {
          deleted = removed.id;
          await recordAudit(tx, caller, { action: 'delete', resourceType: 'policy', resourceId: removed.id, before: presentPolicy(removed) });
        }
      } else {
        const accepted = acceptPolicyDocument(promotion.enforced);
        assertObjectLimits(await lockTenantLimits(tx, caller.tenantId), accepted);
        await assertTiersExist(tx, staged.clusterId, [accepted]);
        const [existing] = await tx.select().from(policies).where(identity(accepted.apiVersion, accepted.kind)).for('update');
        const { resource: _resource, ...columns } = accepted;
        if (existing) {
          [enforced] = await tx
            .update(policies)
            .set({ manifest: accepted.manifest, ruleCount: accepted.ruleCount, version: sql`${policies.version} + 1`, updatedAt: new Date() })
            .where(eq(policies.id, existing.id))
            .returning();
          await recordAudit(tx, caller, { action: 'update', resourceType: 'policy', resourceId: existing.id, before: presentPolicy(existing), after: presentPolicy(enforced!) });
        } else {
          [enforced] = await tx.insert(policies).values({ id: newId(), tenantId: caller.tenantId, clusterId: staged.clusterId, ...columns }).returning();
          await recordAudit(tx, caller, { action: 'create', resourceType: 'policy', resourceId: enforced!.id, after: presentPolicy(enforced!) });
        }
      }
      await tx.delete(policies).where(eq(policies.id, staged.id));
      await recordAudit(tx, caller, { action: 'delete', resourceType: 'policy', resourceId: staged.id, before: presentPolicy(staged) });
      await announcePolicyChange(tx, caller.tenantId, staged.clusterId);
      return { enforced: enforced ? presentPolicy(enforced) : null, deleted };
    });
    return c.json(body, 200);
  });
}
