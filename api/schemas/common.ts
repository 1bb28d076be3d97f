// Schemas every route shares: problem+json errors, ids, paging, conditional and idempotent request
// headers, and the helpers that wrap a schema as a JSON response.
import { z } from '@hono/zod-openapi';

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string(),
    instance: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    limit: z.string().optional(),
    usage: z.number().optional(),
    requested: z.number().optional(),
    exceeded: z.array(z.object({ limit: z.string(), usage: z.number(), allowed: z.number() })).optional(),
  })
  .openapi('Problem');

/**
 * Who may call: tenants with an API key or a member's session cookie (which needs X-CSRF-Token on
 * unsafe methods), or a cluster's agents with their agent token.
 */
export const apiKeySecurity: Record<string, string[]>[] = [{ apiKey: [] }, { session: [] }];
export const agentTokenSecurity = [{ agentToken: [] }];
/** Operations anyone may call (sign-up, the trust root): OpenAPI's way of saying no credential is needed. */
export const publicSecurity = [];

export const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});

/** Error responses most operations can give; each route adds its own. */
export const commonErrors = {
  400: problem('Malformed request body'),
  401: problem('Missing, unknown or revoked credential'),
  403: problem('The credential lacks the role this needs'),
  404: problem('No such object in this tenant'),
  422: problem('Validation failed or a plan limit would be exceeded'),
};
export const writeErrors = { ...commonErrors, 409: problem('Conflicts with an existing object'), 412: problem('If-Match does not match') };

export const idParam = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' }, example: '0195f0c2-7a3e-7c1a-9d7e-1b2c3d4e5f60' }) });

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ description: 'Page size (1-200)' }),
  cursor: z.uuid().optional().openapi({ description: 'nextCursor from the previous page' }),
});

export const ifMatchHeader = z.object({
  'if-match': z.string().optional().openapi({ description: 'ETag from a previous read; 412 when it no longer matches' }),
});

export const idempotencyHeader = z.object({
  'idempotency-key': z.string().min(1).max(255).optional().openapi({ description: 'Retry-safe creation: the same key replays the first response' }),
});

export const timestamp = z.string().openapi({ format: 'date-time' });

/** A field the server sets (ids, timestamps, derived values): documented read-only for generators. */
export const readOnly = <T extends z.ZodTypeAny>(schema: T) => schema.openapi({ readOnly: true });

export function page<T extends z.ZodTypeAny>(item: T, name: string) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() }).openapi(name);
}

export const jsonContent = <T extends z.ZodTypeAny>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** `?dryRun=true`: every check a write runs, nothing written. */
export const dryRunParam = z.enum(['true', 'false']).default('false').openapi({ description: 'Validate and check limits without writing' });
