// The Hono application: middleware, every route, the OpenAPI document and the error handler.
// Built by a function of its services so tests, the Node server and Lambda share one definition;
// every middleware is built here, once, not per request.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { except } from 'hono/combine';
import { requestId } from 'hono/request-id';
import { BUNDLE_PATH } from '../policy/bundle/http.ts';
import type { AppEnv, Services } from './env.ts';
import { ApiError } from './errors/api-error.ts';
import { toProblemResponse } from './errors/problem.ts';
import { limitBodies } from './http/body-limits.ts';
import { validationError } from './http/validation.ts';
import { agentTokenAuth, callerAuth, createResolvedCredentials } from './middleware/auth.ts';
import { clientAddress, clientNetwork } from './middleware/client-address.ts';
import { csrfProtection } from './middleware/csrf.ts';
import { idempotency } from './middleware/idempotency.ts';
import { longPollLimit } from './middleware/long-poll-limit.ts';
import { rateLimit } from './middleware/rate-limit.ts';
import { servicesMiddleware } from './middleware/services.ts';
import { signInLimitByEmail } from './middleware/sign-in-limit.ts';
import { tokenBuckets } from './middleware/token-buckets.ts';
import { registerAgentRoutes } from './routes/agent/index.ts';
import { AGENT_INVENTORY_PATH } from './routes/agent/report-inventory.ts';
import { registerAgentTokenRoutes } from './routes/agent-tokens/index.ts';
import { registerApiKeyRoutes } from './routes/api-keys/index.ts';
import { registerAuditEventRoutes } from './routes/audit-events/index.ts';
import { registerBundleRoutes } from './routes/bundles/index.ts';
import { registerClusterRoutes } from './routes/clusters/index.ts';
import { registerConsoleRoutes } from './routes/console/index.ts';
import { registerDocsRoutes } from './routes/docs/index.ts';
import { registerExplainRoutes } from './routes/explain/index.ts';
import { registerFlowRoutes } from './routes/flows/index.ts';
import { registerInviteRoutes } from './routes/invites/index.ts';
import { registerMemberRoutes } from './routes/members/index.ts';
import { registerPolicyRoutes } from './routes/policies/index.ts';
import { registerSessionRoutes } from './routes/session/index.ts';
import { registerSignupRoutes } from './routes/signup/index.ts';
import { registerTenantRoutes } from './routes/tenant/index.ts';
import { registerTrustRootRoutes } from './routes/trust-root/index.ts';

/** Paths that take no API key or session: the credential-free ones, and the agent's (which take an agent token). */
const WITHOUT_CALLER = ['/v1/signup', '/v1/trust-root', '/v1/agent/*'];
/** Credential-free operations on paths whose other methods need a caller: signing in, accepting an invite. */
const SIGN_IN_PATHS = new Set(['/v1/session', '/v1/invites/accept']);
const isSignIn = (c: Context) => c.req.method === 'POST' && SIGN_IN_PATHS.has(c.req.path);
const withoutCaller = (c: Context) =>
  isSignIn(c) || WITHOUT_CALLER.some((path) => (path.endsWith('/*') ? c.req.path.startsWith(path.slice(0, -1)) : c.req.path === path));

/** Methods that count against the read bucket; every other method is a write. */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function createApp(services: Services) {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error.issues, [result.target === 'json' ? '' : result.target].filter(Boolean));
    },
  });

  app.use('*', requestId());
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
  app.use('/v1/*', except(AGENT_INVENTORY_PATH, apiWideBodyLimit));

  const credentials = createResolvedCredentials();
  // Limits come after authentication, which names the tenant or token they count against; a replayed
  // idempotent request still counts.
  const { fairness } = services.config;
  const tenantReads = tokenBuckets({ name: 'tenant-reads', ...fairness.tenantReads });
  const tenantWrites = tokenBuckets({ name: 'tenant-writes', ...fairness.tenantWrites });
  const agentRequests = tokenBuckets({ name: 'agent-token', ...fairness.agentRequests });
  const signups = tokenBuckets({ name: 'signup', ...fairness.signups });
  const signIns = tokenBuckets({ name: 'sign-in', ...fairness.signIns });
  const signInsPerEmail = tokenBuckets({ name: 'sign-in-email', ...fairness.signInsPerEmail });
  app.use(
    '/v1/signup',
    rateLimit((c) => ({ buckets: signups, key: clientNetwork(clientAddress(c, fairness.trustedProxyHops)) })),
  );
  // Signing in and accepting an invite are POSTs on paths whose other methods need a caller.
  const signInByNetwork = except(
    (c) => !isSignIn(c),
    rateLimit((c) => ({ buckets: signIns, key: clientNetwork(clientAddress(c, fairness.trustedProxyHops)) })),
  );
  app.use(
    '/v1/session',
    signInByNetwork,
    except((c) => !isSignIn(c), signInLimitByEmail(signInsPerEmail)),
  );
  app.use('/v1/invites/accept', signInByNetwork);
  app.use(
    '/v1/agent/*',
    agentTokenAuth(credentials),
    rateLimit((c) => ({ buckets: agentRequests, key: c.get('agent').tokenId })),
  );
  app.use(BUNDLE_PATH, longPollLimit(fairness.longPolls));
  const tenantLimit = rateLimit((c) => ({ buckets: READS.has(c.req.method) ? tenantReads : tenantWrites, key: c.get('caller').tenantId }));
  app.use('/v1/*', except(withoutCaller, callerAuth(credentials), csrfProtection(), tenantLimit, idempotency()));

  app.onError((error, c) => toProblemResponse(error, c, services.logger));
  app.notFound((c) => toProblemResponse(new ApiError('NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`), c, services.logger));

  registerSignupRoutes(app);
  registerSessionRoutes(app);
  registerMemberRoutes(app);
  registerInviteRoutes(app);
  registerAuditEventRoutes(app);
  registerTenantRoutes(app);
  registerApiKeyRoutes(app);
  registerClusterRoutes(app);
  registerAgentTokenRoutes(app);
  registerPolicyRoutes(app);
  registerBundleRoutes(app);
  registerAgentRoutes(app);
  registerFlowRoutes(app);
  registerExplainRoutes(app);
  registerTrustRootRoutes(app);

  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', { type: 'http', scheme: 'bearer', description: 'A tenant API key (pal_...)' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'palisade_session',
    description: 'A signed-in member (POST /v1/session); POST, PUT, PATCH and DELETE also need X-CSRF-Token',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'agentToken', { type: 'http', scheme: 'bearer', description: "A cluster's agent token (pag_...)" });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'palisade API',
      version: services.config.version,
      description: 'Network policy for Kubernetes: store it, check it against the plan, and serve it to node agents as signed bundles.',
    },
  });
  registerDocsRoutes(app);
  app.get('/healthz', (c) => c.json({ ok: true }));
  // Last: the console answers only what no route above did.
  registerConsoleRoutes(app, services.config.consoleDir);
  return app;
}

export type App = ReturnType<typeof createApp>;
