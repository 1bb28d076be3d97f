// Clusters as the CLI reads them, and `--cluster C` resolved: a name (what people type) or an id.
import { z } from 'zod';
import { CliError, EXIT } from '../exit-codes.ts';
import type { ApiClient } from './client.ts';
import { pageOf, readAllPages } from './pages.ts';

const clusterSchema = z.object({
  id: z.string(),
  name: z.string(),
  provider: z.string(),
  status: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Cluster = z.infer<typeof clusterSchema>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const listClusters = (client: ApiClient) => readAllPages(client, '/v1/clusters', clusterSchema);

export const createCluster = (client: ApiClient, input: { name: string; provider?: string }) =>
  client.request('POST', '/v1/clusters', { body: input, schema: clusterSchema, describeField: (path) => `--${path}` });

export async function findCluster(client: ApiClient, nameOrId: string): Promise<Cluster> {
  if (UUID.test(nameOrId)) return client.request('GET', `/v1/clusters/${nameOrId}`, { schema: clusterSchema });
  const page = await client.request('GET', '/v1/clusters', { query: { name: nameOrId, limit: 1 }, schema: pageOf(clusterSchema) });
  const cluster = page.items[0];
  if (!cluster)
    throw new CliError(
      EXIT.NOT_FOUND,
      `no cluster named ${nameOrId}`,
      'list them with `palisade clusters list`, or create it with `palisade clusters create NAME`',
    );
  return cluster;
}
