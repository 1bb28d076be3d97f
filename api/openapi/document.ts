// The API's OpenAPI 3.1 document: every route registered on an app (the same registration the server
// runs), and the document's own fields. Kept apart from the middleware so the document can be built
// without a database or any other service: `npm run lint` builds it here and runs redocly on it.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { registerAgentRoutes } from '../routes/agent/index.ts';
import { registerAgentTokenRoutes } from '../routes/agent-tokens/index.ts';
import { registerApiKeyRoutes } from '../routes/api-keys/index.ts';
import { registerAuditEventRoutes } from '../routes/audit-events/index.ts';
import { registerBundleRoutes } from '../routes/bundles/index.ts';
import { registerClusterRoutes } from '../routes/clusters/index.ts';
import { registerExplainRoutes } from '../routes/explain/index.ts';
import { registerFlowRoutes } from '../routes/flows/index.ts';
import { registerInviteRoutes } from '../routes/invites/index.ts';
import { registerMemberRoutes } from '../routes/members/index.ts';
import { registerPolicyRoutes } from '../routes/policies/index.ts';
import { registerSessionRoutes } from '../routes/session/index.ts';
import { registerSignupRoutes } from '../routes/signup/index.ts';
import { registerTenantRoutes } from '../routes/tenant/index.ts';
import { registerTrustRootRoutes } from '../routes/trust-root/index.ts';

/** Where `npm start` listens: the server of the document built without one (generators, lint). */
const LOCAL_SERVER = 'http://127.0.0.1:8080';

/** Every operation of the public API, and the credentials they take. */
export function registerApiRoutes(app: OpenAPIHono<AppEnv>) {
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
}

/** The document's fields besides its paths: `serverUrl` is where clients reach this API ('/': where the document was served from). */
export function openApiDocumentConfig(version: string, serverUrl = LOCAL_SERVER) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'palisade API',
      version,
      description: 'Network policy for Kubernetes: store it, check it against the plan, and serve it to node agents as signed bundles.',
    },
    servers: [
      {
        url: serverUrl,
        description: serverUrl === LOCAL_SERVER ? 'npm start, the embedded default' : 'This control plane (where this document was served from)',
      },
    ],
  };
}

/** The document for an app with only the routes: what generators and linters read. */
export function buildOpenApiDocument(version: string) {
  const app = new OpenAPIHono<AppEnv>();
  registerApiRoutes(app);
  return app.getOpenAPI31Document(openApiDocumentConfig(version));
}
