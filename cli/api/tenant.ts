// The caller's tenant: what `login` reads to check a key before storing it.
import { z } from 'zod';
import type { ApiClient } from './client.ts';

const tenantSchema = z.object({ id: z.string(), name: z.string(), plan: z.string() });

export const getTenant = (client: ApiClient) => client.request('GET', '/v1/tenant', { schema: tenantSchema });
