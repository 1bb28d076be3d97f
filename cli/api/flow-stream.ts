// Flow logs as a stream: every stored flow, then (when following) each new one as it arrives. Today
// by polling the list after the last id seen; when the API serves server-sent events
// (GET /v1/clusters/{id}/flows/stream), this file is the one to change.
import type { ApiClient } from './client.ts';
import { type Flow, type FlowQuery, listFlowPage } from './flows.ts';
import { pause } from './pause.ts';

interface FlowStreamOptions {
  follow: boolean;
  /** How often to ask for new flows while following. */
  pollIntervalMs: number;
  signal?: AbortSignal | undefined;
}

export async function* flowStream(client: ApiClient, clusterId: string, query: FlowQuery, options: FlowStreamOptions): AsyncGenerator<Flow> {
  let cursor: string | undefined;
  while (!options.signal?.aborted) {
    const page = await listFlowPage(client, clusterId, query, cursor);
    for (const flow of page.items) yield flow;
    cursor = page.items.at(-1)?.id ?? cursor;
    if (page.nextCursor) continue;
    if (!options.follow) return;
    await pause(options.pollIntervalMs, options.signal);
  }
}
