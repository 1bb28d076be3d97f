// A node agent as the control plane sees it, enforcing nothing: the three reports a real agent makes
// over HTTP with its cluster's agent token (endpoint inventory, status, flow logs), so the CLI's
// agents, explain and flows commands have something to read.
import type { FlowLogEntry } from '../../../policy/flow-log.ts';

async function send(url: string, token: string, method: 'PUT' | 'POST', path: string, body: unknown): Promise<void> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
}

export function dryRunAgent(url: string, token: string, nodeName: string) {
  return {
    reportInventory: (inventory: unknown) => send(url, token, 'PUT', `/v1/agent/inventory?nodeName=${nodeName}`, inventory),
    reportStatus: (status: { appliedRevision: number | null; errors?: { code: string; message: string }[] }) =>
      send(url, token, 'POST', '/v1/agent/status', { nodeName, agentVersion: 'dry-run', errors: [], ...status }),
    shipFlows: (entries: FlowLogEntry[]) => send(url, token, 'POST', '/v1/agent/flows', { nodeName, entries }),
  };
}
