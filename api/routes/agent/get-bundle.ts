// GET /v1/agent/bundle: the agent's long-poll, after OPA's bundle service. The ETag names the revision
// (policy/bundle/http.ts, shared with the agent); with If-None-Match set to the agent's current one,
// the request waits (up to `wait` seconds, or `Prefer: wait=N`) for a newer bundle and answers 304 if
// none comes. The body is compressed (br or gzip) when Accept-Encoding asks: the content coding is
// undone by the agent's HTTP client, so the signed JWS, its ETag and digest header are unchanged.
// With `A-IM: palisade-delta` the answer may be 226 and a delta against the revision in If-None-Match
// (policy/bundle/delta.ts), when that revision is still in the history; otherwise the full bundle.
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { BUNDLE_DELTA_CONTENT_TYPE, BUNDLE_DELTA_IM } from '../../../policy/bundle/delta.ts';
import { BUNDLE_CONTENT_TYPE, BUNDLE_PATH, revisionEtag, revisionOfEtag } from '../../../policy/bundle/http.ts';
import { createEncodedBundleCache, MIN_COMPRESSED_BYTES, negotiateBundleEncoding } from '../../../policy/bundle/wire-encoding.ts';
import type { AppEnv } from '../../env.ts';
import { agentContext } from '../../http/context.ts';
import { agentTokenSecurity, commonErrors } from '../../schemas/common.ts';
import { createConnectionStamps, pollBundle } from '../../services/agent-bundle.ts';
import { createBundleDeltas } from '../../services/bundle-delta.ts';

function waitMsOf(query: number | undefined, prefer: string | undefined, maxMs: number): number {
  const fromPrefer = /(?:^|[,;\s])wait=(\d+)/.exec(prefer ?? '')?.[1];
  const seconds = query ?? (fromPrefer === undefined ? 0 : Number(fromPrefer));
  return Math.min(seconds * 1000, maxMs);
}

const route = createRoute({
  method: 'get',
  path: BUNDLE_PATH,
  operationId: 'getAgentBundle',
  summary: "Fetch the cluster's latest signed bundle (long-poll)",
  tags: ['agent'],
  security: agentTokenSecurity,
  request: {
    query: z.object({ wait: z.coerce.number().int().min(0).max(3600).optional().openapi({ description: 'Seconds to wait for a newer revision' }) }),
    headers: z.object({
      'if-none-match': z.string().optional(),
      prefer: z.string().optional(),
      'a-im': z
        .string()
        .optional()
        .openapi({ description: `${BUNDLE_DELTA_IM} asks for a delta against the revision in If-None-Match` }),
      'accept-encoding': z.string().optional().openapi({ description: 'br and gzip are offered; the body is sent as is otherwise' }),
    }),
  },
  responses: {
    200: { description: 'A compact JWS (EdDSA) whose payload is the canonical bundle', content: { [BUNDLE_CONTENT_TYPE]: { schema: z.string() } } },
    226: {
      description: 'A delta against the revision in If-None-Match, carrying the new JWS header and signature',
      content: { [BUNDLE_DELTA_CONTENT_TYPE]: { schema: z.string() } },
    },
    304: { description: 'No revision newer than If-None-Match appeared within the wait' },
    401: commonErrors[401],
  },
});

export function registerGetAgentBundle(app: OpenAPIHono<AppEnv>) {
  const encoded = createEncodedBundleCache();
  const deltas = createBundleDeltas();
  const connections = createConnectionStamps();
  app.openapi(route, async (c) => {
    const { bundleWaiters, config } = c.get('services');
    const headers = c.req.valid('header');
    const ctx = agentContext(c);
    const knownRevision = revisionOfEtag(headers['if-none-match']) ?? 0;
    const poll = await pollBundle(ctx, bundleWaiters, connections, {
      knownRevision,
      waitMs: waitMsOf(c.req.valid('query').wait, headers.prefer, config.longPollMaxMs),
      signal: c.req.raw.signal,
    });
    if (!poll.newer) return c.body(null, 304, { etag: revisionEtag(poll.revision) });
    const { bundle } = poll;
    const headersOut = {
      'content-type': BUNDLE_CONTENT_TYPE,
      // The ETag names the revision, whatever the coding: no-store keeps caches from mixing codings up.
      etag: revisionEtag(bundle.revision),
      'x-palisade-revision': String(bundle.revision),
      'x-palisade-sha256': bundle.sha256,
      'cache-control': 'no-store',
      vary: 'Accept-Encoding',
    };
    const encoding = negotiateBundleEncoding(headers['accept-encoding']);
    const wantsDelta = (headers['a-im'] ?? '').split(',').some((im) => im.trim().toLowerCase() === BUNDLE_DELTA_IM);
    const delta = wantsDelta ? await deltas.get(ctx, knownRevision, bundle) : undefined;
    if (delta) {
      const deltaHeaders = { ...headersOut, 'content-type': BUNDLE_DELTA_CONTENT_TYPE, im: BUNDLE_DELTA_IM };
      if (encoding === undefined || delta.json.length < MIN_COMPRESSED_BYTES) return c.body(delta.json, 226, deltaHeaders);
      return c.body(await encoded.get(delta.key, delta.json, encoding), 226, { ...deltaHeaders, 'content-encoding': encoding });
    }
    // Bytes encoded once per revision and coding, shared by every agent the revision wakes.
    if (encoding === undefined || bundle.jws.length < MIN_COMPRESSED_BYTES)
      return c.body(await encoded.get(bundle.sha256, bundle.jws, 'identity'), 200, headersOut);
    const body = await encoded.get(bundle.sha256, bundle.jws, encoding);
    return c.body(body, 200, { ...headersOut, 'content-encoding': encoding });
  });
}
