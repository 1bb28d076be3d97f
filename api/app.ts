// The Hono application: middleware, every route, the OpenAPI document and the error handler.
// Built by a function of its services so tests, the Node server and Lambda share one definition.
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import type { AppEnv, Services } from './env.ts';
import { ApiError } from './errors/api-error.ts';
import { toProblemResponse } from './errors/problem.ts';
import { validationError } from './http/validation.ts';
import { agentTokenAuth, apiKeyAuth } from './middleware/auth.ts';
import { idempotency } from './middleware/idempotency.ts';
import { servicesMiddleware } from './middleware/services.ts';
import { registerAgentBundle } from './routes/agent/bundle.ts';
import { AGENT_INVENTORY_PATH, registerAgentInventory } from './routes/agent/inventory.ts';
import { registerApply } from './routes/apply/apply.ts';
import { registerAgentFlows } from './routes/agent/flows.ts';
import { registerAgentStatus } from './routes/agent/status.ts';
import { registerListFlows } from './routes/flows/list-flows.ts';
import { registerAgentTokenRoutes } from './routes/agent-tokens/routes.ts';
import { registerApiKeyRoutes } from './routes/api-keys/routes.ts';
import { registerBundleRoutes } from './routes/bundles/routes.ts';
import { registerClusterAgents } from './routes/clusters/agents.ts';
import { registerClusterRoutes } from './routes/clusters/routes.ts';
import { registerApiReference } from './routes/docs/api-reference.ts';
import { registerExplain } from './routes/explain/explain.ts';
import { registerPromote } from './routes/policies/promote.ts';
import { registerPolicyRoutes } from './routes/policies/routes.ts';
import { registerSignup } from './routes/signup/signup.ts';
import { registerGetTenant } from './routes/tenant/get-tenant.ts';
import { registerTrustRoot } from './routes/trust-root/get-trust-root.ts';

/** Credential-free paths; everything else under /v1 needs an API key or, under /v1/agent, an agent token. */
const PUBLIC_PATHS = new Set(['/v1/signup', '/v1/trust-root']);

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
  const apiWideBodyLimit = bodyLimit({
    maxSize: services.config.maxBodyBytes,
    onError: () => {
      throw new ApiError('PAYLOAD_TOO_LARGE', `request bodies are limited to ${services.config.maxBodyBytes} bytes`);
    },
  });
  // Inventories have their own, larger limit (routes/agent/inventory.ts).
  app.use('/v1/*', async function limitBody(c, next) {
    if (c.req.path === AGENT_INVENTORY_PATH) return next();
    return apiWideBodyLimit(c, next);
  });
  app.use('/v1/agent/*', agentTokenAuth());
  app.use('/v1/*', async function authenticate(c, next) {
    if (PUBLIC_PATHS.has(c.req.path) || c.req.path.startsWith('/v1/agent/')) return next();
    return apiKeyAuth()(c, next);
  });
  app.use('/v1/*', async function idempotentPosts(c, next) {
    if (PUBLIC_PATHS.has(c.req.path) || c.req.path.startsWith('/v1/agent/')) return next();
    return idempotency()(c, next);
  });

  app.onError((error, c) => toProblemResponse(error, c, services.logger));
  app.notFound((c) => toProblemResponse(new ApiError('NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`), c, services.logger));

  registerSignup(app);
  registerGetTenant(app);
  registerApiKeyRoutes(app);
  registerClusterRoutes(app);
  registerClusterAgents(app);
  registerAgentTokenRoutes(app);
  registerPolicyRoutes(app);
  registerApply(app);
  registerPromote(app);
  registerBundleRoutes(app);
  registerAgentBundle(app);
  registerAgentStatus(app);
  registerAgentFlows(app);
  registerListFlows(app);
  registerAgentInventory(app);
  registerExplain(app);
  registerTrustRoot(app);

  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', { type: 'http', scheme: 'bearer', description: 'A tenant API key (pal_...)' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'agentToken', { type: 'http', scheme: 'bearer', description: "A cluster's agent token (pag_...)" });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'palisade API',
      version: services.config.version,
      description: 'Network policy for Kubernetes: store it, check it against the plan, and serve it to node agents as signed bundles.',
    },
  });
  registerApiReference(app);
  app.get('/healthz', (c) => c.json({ ok: true }));
  return app;
}

export type App = ReturnType<typeof createApp>;
