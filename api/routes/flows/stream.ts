// GET /v1/clusters/{id}/flows/stream: the cluster's flows as server-sent events, with the list's
// filters. Each flow is `event: flow`, `id: <flow id>` (the list's cursor), `data: <the list item>`;
// a reconnecting client's Last-Event-ID (or ?cursor=) resumes after that flow. A comment line every
// 15 s keeps proxies from cutting an idle stream. A tenant holds a capped number at once (429).
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { streamSlots } from '../../middleware/stream-slots.ts';
import { tooManyRequests } from '../../middleware/too-many-requests.ts';
import { apiKeySecurity, commonErrors, idParam } from '../../schemas/common.ts';
import { flowFilterQuery } from '../../schemas/flows.ts';
import { openFlowTail } from '../../services/flow-stream.ts';

/** A client refused a stream comes back when one of the tenant's others has likely closed. */
const RETRY_AFTER_SECONDS = 30;

const route = createRoute({
  method: 'get',
  path: '/v1/clusters/{id}/flows/stream',
  operationId: 'streamFlowLogs',
  summary: "A live tail of the cluster's flow logs (server-sent events), resumable with Last-Event-ID",
  tags: ['flows'],
  security: apiKeySecurity,
  request: {
    params: idParam,
    query: z.object({
      cursor: z.uuid().optional().openapi({ description: 'Start after this flow id (a list nextCursor or an event id)' }),
      ...flowFilterQuery,
      since: flowFilterQuery.since.openapi({ description: 'Without a cursor: start with buckets ending at or after this time' }),
    }),
    headers: z.object({
      'last-event-id': z.uuid().optional().openapi({ description: 'The id of the last event received: the stream resumes after it' }),
    }),
  },
  responses: {
    200: {
      description: 'event: flow, id: <flow id>, data: a FlowLog as JSON; comment lines as heartbeats',
      content: { 'text/event-stream': { schema: z.string() } },
    },
    ...commonErrors,
    429: { description: 'The tenant holds as many streams as it may; Retry-After says when to try again' },
  },
});

export function registerStreamFlowLogs(app: OpenAPIHono<AppEnv>) {
  let slots: ReturnType<typeof streamSlots> | undefined;
  app.openapi(route, async (c) => {
    const { services } = c.var;
    slots ??= streamSlots(services.config.fairness.flowStreamsPerTenant);
    const ctx = tenantContext(c);
    const release = slots.take(ctx.caller.tenantId);
    if (!release) {
      return tooManyRequests(c, RETRY_AFTER_SECONDS, `this tenant already holds ${services.config.fairness.flowStreamsPerTenant} flow streams`);
    }
    const { cursor, ...filter } = c.req.valid('query');
    let tail: Awaited<ReturnType<typeof openFlowTail>>;
    try {
      tail = await openFlowTail(ctx, {
        clusterId: c.req.valid('param').id,
        filter,
        cursor: c.req.valid('header')['last-event-id'] ?? cursor,
        feed: services.flowFeed,
      });
    } catch (error) {
      release();
      throw error;
    }
    return streamSSE(
      c,
      async (stream) => {
        const aborted = new AbortController();
        stream.onAbort(() => aborted.abort());
        try {
          await tail.run(
            {
              flow: (flow) => stream.writeSSE({ event: 'flow', id: flow.id, data: JSON.stringify(flow) }),
              heartbeat: () => stream.write(': heartbeat\n\n').then(() => undefined),
            },
            aborted.signal,
          );
        } finally {
          release();
          tail.cancel();
        }
      },
      async (error) => {
        services.logger.warn({ err: error, clusterId: c.req.valid('param').id }, 'flow stream ended by an error');
      },
    );
  });
}
