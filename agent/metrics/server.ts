// The agent's metrics listener (`--metrics-port`): GET /metrics renders agent-metrics.ts, reading the
// dataplane's maps for that scrape. Apart from the explain endpoint, which must stay on loopback:
// these are counts and names (policies, pods of this node), which Prometheus scrapes over the node
// network, as it does felix's.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { AgentMetrics } from './agent-metrics.ts';

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
    metrics.scrape().then(
      (body) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
      (error: unknown) => {
        options.logger.warn({ err: error }, 'collecting metrics failed');
        response.writeHead(500, { 'content-type': 'text/plain' }).end('collecting metrics failed\n');
      },
    );
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
