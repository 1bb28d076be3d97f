// The agent's metrics listener (`--metrics-port`): GET /metrics renders agent-metrics.ts, reading the
// dataplane's maps for that scrape. Apart from the explain endpoint, which must stay on loopback:
// these are counts and names (policies, pods of this node), which Prometheus scrapes over the node
// network, as it does felix's. Bodies go gzipped to a scraper that accepts it (Prometheus does): at
// 10,000 rules a scrape is 1.4 MB of repetitive label text, and a fifteenth of that compressed.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import type { Logger } from 'pino';
import type { AgentMetrics } from './agent-metrics.ts';

const gzipped = promisify(gzip);
/** The fastest level: on label text it compresses nearly as well as the default, in a fraction of the time. */
const GZIP_LEVEL = constants.Z_BEST_SPEED;

/** Whether an Accept-Encoding header admits gzip (a q=0 refuses it). */
function acceptsGzip(header: string | undefined): boolean {
  return (header ?? '').split(',').some((part) => {
    const [coding, ...params] = part.trim().split(';');
    return coding?.trim().toLowerCase() === 'gzip' && !params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p));
  });
}

export interface AgentMetricsServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startAgentMetricsServer(metrics: AgentMetrics, options: { host: string; port: number; logger: Logger }): Promise<AgentMetricsServer> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics here\n');
      return;
    }
    const compress = acceptsGzip(request.headers['accept-encoding']);
    metrics
      .scrape()
      .then(async (body) => {
        const headers = { 'content-type': metrics.registry.contentType, vary: 'accept-encoding' };
        if (!compress) return response.writeHead(200, headers).end(body);
        const compressed = await gzipped(body, { level: GZIP_LEVEL });
        return response.writeHead(200, { ...headers, 'content-encoding': 'gzip' }).end(compressed);
      })
      .catch((error: unknown) => {
        options.logger.warn({ err: error }, 'collecting metrics failed');
        response.writeHead(500, { 'content-type': 'text/plain' }).end('collecting metrics failed\n');
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    url: `http://${host}:${port}/metrics`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
