// GET /v1/agent/bundle: the agent's long-poll, after OPA's bundle service. The ETag names the revision;
// with If-None-Match set to the agent's current one, the request waits (up to `wait` seconds, or
// `Prefer: wait=N`) for a newer bundle and answers 304 if none comes.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { desc, eq, sql } from 'drizzle-orm';
import { withTenant } from '../../../db/index.ts';
import { agentTokens, bundles, clusters } from '../../../db/schema/index.ts';
import type { AppEnv } from '../../env.ts';
import { commonErrors } from '../../schemas/common.ts';

export const BUNDLE_CONTENT_TYPE = 'application/jose';
export const bundleEtag = (revision: number) => `"r${revision}"`;

function revisionOf(ifNoneMatch: string | undefined): number {
  const match = /"r(\d+)"/.exec(ifNoneMatch ?? '');
  return match ? Number(match[1]) : 0;
}

function waitMsOf(query: number | undefined, prefer: string | undefined, maxMs: number): number {
  const fromPrefer = /(?:^|[,;\s])wait=(\d+)/.exec(prefer ?? '')?.[1];
  const seconds = query ?? (fromPrefer === undefined ? 0 : Number(fromPrefer));
  return Math.min(seconds * 1000, maxMs);
}

const route = createRoute({
  method: 'get',
  path: '/v1/agent/bundle',
  operationId: 'getAgentBundle',
  summary: "Fetch the cluster's latest signed bundle (long-poll)",
  tags: ['agent'],
  security: [{ agentToken: [] }],
  request: {
    query: z.object({ wait: z.coerce.number().int().min(0).max(3600).optional().openapi({ description: 'Seconds to wait for a newer revision' }) }),
    headers: z.object({ 'if-none-match': z.string().optional(), prefer: z.string().optional() }),
  },
  responses: {
    200: { description: 'A compact JWS (EdDSA) whose payload is the canonical bundle', content: { [BUNDLE_CONTENT_TYPE]: { schema: z.string() } } },
    304: { description: 'No revision newer than If-None-Match appeared within the wait' },
    401: commonErrors[401],
  },
});

export function registerAgentBundle(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    const agent = c.get('agent');
    const { database, bundleWaiters, config } = c.get('services');
    const known = revisionOf(c.req.header('if-none-match'));
    const deadline = Date.now() + waitMsOf(c.req.valid('query').wait, c.req.header('prefer'), config.longPollMaxMs);
    await markConnected(c.get('services').database.db, agent);

    for (;;) {
      const [latest] = await withTenant(database.db, agent.tenantId, (tx) =>
        tx.select().from(bundles).where(eq(bundles.clusterId, agent.clusterId)).orderBy(desc(bundles.revision)).limit(1),
      );
      if (latest && latest.revision > known) {
        return c.body(latest.jws, 200, {
          'content-type': BUNDLE_CONTENT_TYPE,
          etag: bundleEtag(latest.revision),
          'x-palisade-revision': String(latest.revision),
          'x-palisade-sha256': latest.sha256,
          'cache-control': 'no-store',
        });
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0 || c.req.raw.signal.aborted || bundleWaiters.closed) return c.body(null, 304, { etag: bundleEtag(latest?.revision ?? known) });
      await bundleWaiters.wait(agent.clusterId, remaining, c.req.raw.signal);
    }
  });
}

/** A polling agent is the sign of a connected cluster; stamped at most once a minute per token. */
async function markConnected(db: Parameters<typeof withTenant>[0], agent: AppEnv['Variables']['agent']) {
  await withTenant(db, agent.tenantId, async (tx) => {
    const stamped = await tx
      .update(agentTokens)
      .set({ lastUsedAt: new Date() })
      .where(sql`${agentTokens.id} = ${agent.tokenId} and (${agentTokens.lastUsedAt} is null or ${agentTokens.lastUsedAt} < now() - interval '1 minute')`)
      .returning({ id: agentTokens.id });
    if (stamped.length > 0) await tx.update(clusters).set({ status: 'connected' }).where(eq(clusters.id, agent.clusterId));
  });
}
