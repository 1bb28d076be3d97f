// The Hono application: middleware, every route, the OpenAPI document and the error handler.
// Built by a function of its services so tests, the Node server and Lambda share one definition;
// every middleware is built here, once, not per request.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { requestId } from 'hono/request-id';
import { BUNDLE_PATH } from '../policy/bundle/http.ts';
import type { AppEnv, Services } from './env.ts';
import { ApiError } from './errors/api-error.ts';
import { toProblemResponse } from './errors/problem.ts';
import { limitBodies } from './http/body-limits.ts';
import { validationError } from './http/validation.ts';
import { agentTokenAuth, callerAuth, createResolvedCredentials } from './middleware/auth.ts';
import { clientAddress, clientNetwork } from './middleware/client-address.ts';
import { concurrencySlots } from './middleware/concurrency-slots.ts';
import { csrfProtection } from './middleware/csrf.ts';
import { idempotency } from './middleware/idempotency.ts';
import { longPollLimit } from './middleware/long-poll-limit.ts';
import { rateLimit } from './middleware/rate-limit.ts';
import { requestMetrics } from './middleware/request-metrics.ts';
import { servicesMiddleware } from './middleware/services.ts';
import { signInLimitByEmail } from './middleware/sign-in-limit.ts';
import { tenantConcurrency } from './middleware/tenant-concurrency.ts';
import { tokenBuckets } from './middleware/token-buckets.ts';
import { unless } from './middleware/unless.ts';
import { openApiDocumentConfig, registerApiRoutes } from './openapi/document.ts';
import { registerAgentRoutes } from './routes/agent/index.ts';
import { AGENT_INVENTORY_PATH } from './routes/agent/report-inventory.ts';
import { registerConsoleRoutes } from './routes/console/index.ts';
import { registerDocsRoutes } from './routes/docs/index.ts';
import { registerTrustRootRoutes } from './routes/trust-root/index.ts';

/** Paths that take no API key or session: the credential-free ones, and the agent's (which take an agent token). */
const WITHOUT_CALLER = ['/v1/signup', '/v1/trust-root', '/v1/agent/*'];
/** Credential-free operations on paths whose other methods need a caller: signing in, accepting an invite. */
const SIGN_IN_PATHS = new Set(['/v1/session', '/v1/invites/accept']);
const isSignIn = (c: Context) => c.req.method === 'POST' && SIGN_IN_PATHS.has(c.req.path);
const withoutCaller = (c: Context) =>
  isSignIn(c) || WITHOUT_CALLER.some((path) => (path.endsWith('/*') ? c.req.path.startsWith(path.slice(0, -1)) : c.req.path === path));

const isFlowStream = (c: Context) => c.req.method === 'GET' && /^\/v1\/clusters\/[^/]+\/flows\/stream$/.test(c.req.path);

/** Methods that count against the read bucket; every other method is a write. */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function createApp(services: Services) {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error.issues, [result.target === 'json' ? '' : result.target].filter(Boolean));
    },
  });

  app.use('*', requestId());
  if (services.metrics) app.use('*', requestMetrics(services.metrics));
  app.use('*', servicesMiddleware(services));
  app.use('*', async function logRequest(c, next) {
    const started = performance.now();
    await next();
    services.logger.info(
      { requestId: c.get('requestId'), method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) },
      'request',
    );
  });
  const apiWideBodyLimit = limitBodies(services.config.maxBodyBytes, 'request bodies');
  // Inventories have their own, larger limit, and small objects smaller ones (http/body-limits.ts).
  app.use(
    '/v1/*',
    unless((c) => c.req.path === AGENT_INVENTORY_PATH, apiWideBodyLimit),
  );

  const credentials = createResolvedCredentials();
  const { fairness } = services.config;
  const agentRequests = tokenBuckets({ name: 'agent-token', ...fairness.agentRequests });
  app.use(
    '/v1/agent/*',
    agentTokenAuth(credentials),
    rateLimit((c) => ({ buckets: agentRequests, key: c.get('agent').tokenId }), fairness.refusalHoldMs),
  );
  app.use(BUNDLE_PATH, longPollLimit(fairness.longPolls));
  app.onError((error, c) => toProblemResponse(error, c, services.logger));
  app.notFound((c) => toProblemResponse(new ApiError('NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`), c, services.logger));
  app.get('/healthz', (c) => c.json({ ok: true }));

  if (services.config.surface === 'agent') {
    // The delivery role: no caller middleware either, so a tenant path is a plain 404, not a 401.
    registerAgentRoutes(app);
    registerTrustRootRoutes(app);
    return app;
  }

  // Limits come after authentication, which names the tenant or token they count against; a replayed
  // idempotent request still counts.
  const tenantReads = tokenBuckets({ name: 'tenant-reads', ...fairness.tenantReads });
  const tenantWrites = tokenBuckets({ name: 'tenant-writes', ...fairness.tenantWrites });
  const signups = tokenBuckets({ name: 'signup', ...fairness.signups });
  const signIns = tokenBuckets({ name: 'sign-in', ...fairness.signIns });
  const signInsPerEmail = tokenBuckets({ name: 'sign-in-email', ...fairness.signInsPerEmail });
  app.use(
    '/v1/signup',
    rateLimit((c) => ({ buckets: signups, key: clientNetwork(clientAddress(c, fairness.trustedProxyHops)) }), fairness.refusalHoldMs),
  );
  // Signing in and accepting an invite are POSTs on paths whose other methods need a caller.
  const signInByNetwork = unless(
    (c) => !isSignIn(c),
    rateLimit((c) => ({ buckets: signIns, key: clientNetwork(clientAddress(c, fairness.trustedProxyHops)) }), fairness.refusalHoldMs),
  );
  app.use(
    '/v1/session',
    signInByNetwork,
    unless((c) => !isSignIn(c), signInLimitByEmail(signInsPerEmail)),
  );
  app.use('/v1/invites/accept', signInByNetwork);
  const tenantLimit = rateLimit(
    (c) => ({ buckets: READS.has(c.req.method) ? tenantReads : tenantWrites, key: c.get('caller').tenantId }),
    fairness.refusalHoldMs,
  );
  // The concurrency cap runs before anything that takes a database connection (idempotency, handlers).
  // A live flow stream is open for minutes and holds a connection only while it reads: it has its own
  // cap (stream-slots.ts), and holding a slot would leave the tenant's other requests without any.
  const tenantSlots = unless(isFlowStream, tenantConcurrency(concurrencySlots(fairness.tenantConcurrency)));
  app.use('/v1/*', unless(withoutCaller, callerAuth(credentials), csrfProtection(), tenantLimit, tenantSlots, idempotency()));

  registerApiRoutes(app);
  // The served document's server is relative (OpenAPI: the origin the document came from), which holds
  // behind CloudFront too, where the request this process sees names another host.
  app.doc31('/openapi.json', openApiDocumentConfig(services.config.version, '/'));
  registerDocsRoutes(app);
  // Last: the console answers only what no route above did.
  registerConsoleRoutes(app, services.config.consoleDir);
  return app;
}

export type App = ReturnType<typeof createApp>;
