// Flow logs as a stream: every stored flow, then (when following) each new one as agents ship it.
// Without --follow, the list's pages. With it, the server-sent event stream
// (GET /v1/clusters/{id}/flows/stream), which sends the stored flows first and then new ones; when the
// connection drops, it reconnects with Last-Event-ID (the last flow printed) after a growing pause,
// so no flow is printed twice or missed.
import { CliError, EXIT } from '../exit-codes.ts';
import type { ApiClient } from './client.ts';
import { type Flow, type FlowQuery, flowSchema, listFlowPage } from './flows.ts';
import { pause } from './pause.ts';
import { readServerSentEvents } from './server-sent-events.ts';

interface FlowStreamOptions {
  follow: boolean;
  signal?: AbortSignal | undefined;
  /** Pauses before reconnecting: the first after a drop, doubling up to the last. */
  reconnectDelaysMs?: { first: number; most: number };
  /** Told of each drop, so a person at a terminal knows why nothing comes for a while. */
  onDrop?: (reason: string, retryInMs: number) => void;
}

/** The API's earliest accepted flow time: asking from it makes the stream send every stored flow. */
const FROM_THE_START = '2000-01-01T00:00:00Z';
const RECONNECT_DELAYS_MS = { first: 500, most: 30_000 };

export async function* flowStream(client: ApiClient, clusterId: string, query: FlowQuery, options: FlowStreamOptions): AsyncGenerator<Flow> {
  if (!options.follow) {
    let cursor: string | undefined;
    do {
      const page = await listFlowPage(client, clusterId, query, cursor);
      yield* page.items;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return;
  }

  const delays = options.reconnectDelaysMs ?? RECONNECT_DELAYS_MS;
  let lastId: string | undefined;
  let delay = delays.first;
  while (!options.signal?.aborted) {
    const opened = await client.openEventStream(`/v1/clusters/${clusterId}/flows/stream`, {
      query: { ...query, since: lastId === undefined ? FROM_THE_START : undefined },
      lastEventId: lastId,
    });
    let reason: string;
    let retryAfterMs: number | undefined;
    if (opened.ok) {
      try {
        for await (const event of readServerSentEvents(opened.body)) {
          if (event.event !== 'flow') continue;
          const flow = parseFlow(event.data);
          lastId = event.id ?? flow.id;
          delay = delays.first;
          yield flow;
        }
        reason = 'the server closed the stream';
      } catch (error) {
        if (options.signal?.aborted) return;
        const { cause } = error as { cause?: { code?: string } };
        reason = cause?.code ?? (error as Error).message;
      }
    } else {
      reason = opened.reason;
      retryAfterMs = opened.retryAfterMs;
    }
    if (options.signal?.aborted) return;
    const wait = retryAfterMs ?? delay;
    options.onDrop?.(reason, wait);
    await pause(wait, options.signal);
    delay = Math.min(delay * 2, delays.most);
  }
}

function parseFlow(data: string): Flow {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    json = undefined;
  }
  const parsed = flowSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  throw new CliError(
    EXIT.FAILURE,
    `unexpected flow event: ${data.slice(0, 200)}`,
    'check the URL points at a palisade control plane of a version this CLI knows',
  );
}
