// API keys: created (the secret is in that answer only), listed, revoked.
import { z } from 'zod';
import type { ApiClient } from './client.ts';
import { readAllPages } from './pages.ts';

const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});

export const listApiKeys = (client: ApiClient) => readAllPages(client, '/v1/api-keys', apiKeySchema);

export const createApiKey = (client: ApiClient, input: { name: string; role: string }) =>
  client.request('POST', '/v1/api-keys', { body: input, schema: apiKeySchema.extend({ key: z.string() }), describeField: (path) => `--${path}` });

export const revokeApiKey = (client: ApiClient, id: string) => client.request('DELETE', `/v1/api-keys/${id}`);
