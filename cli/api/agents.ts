// What each node's agent last reported: the revision it enforces, when, and its errors.
import { z } from 'zod';
import type { ApiClient } from './client.ts';

const agentStatusSchema = z.object({
  nodeName: z.string(),
  appliedRevision: z.number().nullable(),
  agentVersion: z.string().nullable(),
  errors: z.array(z.object({ code: z.string(), message: z.string(), endpoint: z.string().optional(), revision: z.number().optional() })),
  reportedAt: z.string(),
});
export type AgentStatus = z.infer<typeof agentStatusSchema>;

export async function listAgents(client: ApiClient, clusterId: string): Promise<AgentStatus[]> {
  const body = await client.request('GET', `/v1/clusters/${clusterId}/agents`, { schema: z.object({ items: z.array(agentStatusSchema) }) });
  return body.items;
}
