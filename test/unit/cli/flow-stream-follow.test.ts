// `flows --follow`'s stream against a scripted server-sent event server: the stored flows and new ones
// arrive as events (split across packets, with heartbeats between); a dropped connection, and a server
// answering 503, are followed by reconnects after a growing pause carrying Last-Event-ID, so nothing
// is printed twice; the verdict filter goes to the server; a refusal that another try cannot fix
// (no such cluster) ends the command with the server's reason; Ctrl-C ends it cleanly.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../../cli/api/client.ts';
import { flowStream } from '../../../cli/api/flow-stream.ts';
import type { Flow } from '../../../cli/api/flows.ts';
import { CliError, EXIT } from '../../../cli/exit-codes.ts';

const CLUSTER = '0193a5c4-0000-7000-8000-000000000001';

function flow(id: string, remote: string): Flow {
  return {
    id,
    nodeName: 'node-a',
    startTime: '2026-12-01T12:00:00.000Z',
    endTime: '2026-12-01T12:00:15.000Z',
    endpoint: 'shop/db',
    direction: 'ingress',
    remote,
    protocol: 6,
    port: 5432,
    kind: 'denied',
    rule: null,
    count: 1,
    bytes: 60,
  };
}
const first = flow('0193a5c4-0000-7000-8000-00000000000a', '198.18.0.10');
const second = flow('0193a5c4-0000-7000-8000-00000000000b', '198.18.0.11');
const event = (item: Flow) => `event: flow\nid: ${item.id}\ndata: ${JSON.stringify(item)}\n\n`;

describe('following flows over the event stream', () => {
  let server: Server;
  let url: string;
  const requests: { url: string; headers: IncomingHttpHeaders }[] = [];
  /** What each connection gets, in turn. */
  let script: ((response: ServerResponse) => void)[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests.push({ url: request.url!, headers: request.headers });
      script.shift()?.(response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server?.closeAllConnections();
    server?.close();
  });

  it('resumes after the last flow received when the connection drops or the server is busy, until Ctrl-C', async () => {
    requests.length = 0;
    const stop = new AbortController();
    script = [
      (response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        const text = `: heartbeat\n\n${event(first)}`;
        response.write(text.slice(0, 30));
        setTimeout(() => {
          response.write(text.slice(30));
          // The connection drops mid-stream (a proxy, a restart): no clean end.
          setTimeout(() => response.socket?.destroy(), 50);
        }, 50);
      },
      (response) => response.writeHead(503, { 'content-type': 'application/problem+json' }).end('{}'),
      (response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write(`${event(second)}: heartbeat\n\n`);
      },
    ];
    const drops: number[] = [];
    const client = createApiClient({ url, apiKey: 'pal_test', signal: stop.signal });
    const received: Flow[] = [];
    for await (const item of flowStream(
      client,
      CLUSTER,
      { kind: 'denied' },
      { follow: true, signal: stop.signal, reconnectDelaysMs: { first: 20, most: 1_000 }, onDrop: (_reason, wait) => drops.push(wait) },
    )) {
      received.push(item);
      if (received.length === 2) stop.abort();
    }

    expect(received).toEqual([first, second]);
    expect(drops).toEqual([20, 40]);
    expect(requests.map((request) => request.headers['last-event-id'])).toEqual([undefined, first.id, first.id]);
    const query = requests.map((request) => Object.fromEntries(new URL(request.url, url).searchParams));
    // The first connection asks for every stored flow; the reconnects say where they left off instead.
    expect(query).toEqual([{ kind: 'denied', since: '2000-01-01T00:00:00Z' }, { kind: 'denied' }, { kind: 'denied' }]);
    expect(requests.every((request) => request.url.startsWith(`/v1/clusters/${CLUSTER}/flows/stream`))).toBe(true);
    expect(requests.every((request) => request.headers.accept === 'text/event-stream')).toBe(true);
  });

  it('ends with the server reason when the cluster is gone, without reconnecting', async () => {
    requests.length = 0;
    script = [
      (response) =>
        response
          .writeHead(404, { 'content-type': 'application/problem+json' })
          .end(JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404, code: 'NOT_FOUND', detail: 'cluster not found' })),
    ];
    const client = createApiClient({ url, apiKey: 'pal_test' });
    const follow = async () => {
      for await (const _ of flowStream(client, CLUSTER, {}, { follow: true, reconnectDelaysMs: { first: 20, most: 20 } })) {
        // nothing arrives
      }
    };
    const error = await follow().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(EXIT.NOT_FOUND);
    expect((error as CliError).message).toContain('cluster not found');
    expect(requests).toHaveLength(1);
  });
});
