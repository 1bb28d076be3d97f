// Policies as the CLI reads and writes them: the cluster's stored objects, apply (POST /v1/apply, all
// or nothing, with prune in the same request, dryRun for diff) and delete by id.
import { z } from 'zod';
import type { ApiClient } from './client.ts';
import { readAllPages } from './pages.ts';

const manifestSchema = z.record(z.string(), z.unknown());
export type Manifest = z.infer<typeof manifestSchema>;

const policySchema = z.object({
  id: z.string(),
  apiVersion: z.string(),
  kind: z.string(),
  namespace: z.string().nullable(),
  name: z.string(),
  manifest: manifestSchema,
  ruleCount: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Policy = z.infer<typeof policySchema>;

const applyResultSchema = z.object({
  dryRun: z.boolean(),
  results: z.array(
    z.object({
      kind: z.string(),
      namespace: z.string().nullable(),
      name: z.string(),
      action: z.enum(['created', 'configured', 'unchanged', 'pruned']),
      id: z.string().nullable(),
      before: manifestSchema.nullable(),
      after: manifestSchema.nullable(),
    }),
  ),
});
type ApplyResult = z.infer<typeof applyResultSchema>['results'][number];

interface PolicyFilter {
  namespace?: string | undefined;
  name?: string | undefined;
  kind?: string | undefined;
}

export const listPolicies = (client: ApiClient, clusterId: string, filter: PolicyFilter = {}) =>
  readAllPages(client, `/v1/clusters/${clusterId}/policies`, policySchema, { namespace: filter.namespace, name: filter.name, kind: filter.kind });

export async function applyManifests(
  client: ApiClient,
  clusterId: string,
  manifests: readonly Manifest[],
  options: {
    dryRun: boolean;
    /** Also delete the cluster's objects carrying this annotation (key=value) that `manifests` do not hold. */
    pruneMarker?: string | undefined;
    describeField: (path: string) => string;
  },
): Promise<ApplyResult[]> {
  const prune = options.pruneMarker === undefined ? {} : { prune: 'true', pruneAnnotation: options.pruneMarker };
  const body = await client.request('POST', '/v1/apply', {
    query: { cluster: clusterId, dryRun: String(options.dryRun), ...prune },
    body: manifests,
    schema: applyResultSchema,
    describeField: options.describeField,
  });
  return body.results;
}

export const deletePolicy = (client: ApiClient, id: string) => client.request('DELETE', `/v1/policies/${id}`);
