// The control plane as a server: the composition (compose.ts) for a role that serves HTTP, listening
// on the configured host and port. `palisade serve` runs it; tests and the lab start it in-process.
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { useYamlParserThread } from '../api/http/yaml-parse-pool.ts';
import { type ComposeOptions, compose, type Role } from './compose.ts';
import type { ControlPlaneConfig } from './config.ts';

export type ServingRole = Exclude<Role, 'worker'>;

/**
 * Connections waiting to be accepted. A fleet of agents reconnects at once (after a deploy, or a
 * network blip), thousands of long-polls in a second; Node's default of 511 overflowed at 10,000
 * (bench control-plane --only longPoll), and with SYN cookies on the overflowed connections were
 * reset. The kernel caps it at net.core.somaxconn (4096 by default since Linux 5.4).
 */
const LISTEN_BACKLOG = 4096;

export async function startControlPlane<R extends ServingRole = 'all'>(config: ControlPlaneConfig, options: ComposeOptions & { role?: R } = {}) {
  const composition = await compose(config, options.role ?? ('all' as R), options);
  const { app } = composition;
  // Large YAML bodies are parsed off the event loop (a Lambda, one request at a time, parses inline).
  useYamlParserThread();
  const server = createAdaptorServer({ fetch: app.fetch, hostname: config.host });
  await new Promise<void>((resolve) => server.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG }, resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  composition.logger.info({ url }, 'control plane listening');

  let stopping: Promise<void> | undefined;
  return {
    ...composition,
    url,
    port,
    stop() {
      stopping ??= (async () => {
        // Waiting long-polls end first (they answer 304), so closing the server is not held up.
        await composition.bundleWaiters.close();
        // So do live flow streams: the server waits for open responses before it closes.
        await composition.flowFeed.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
        });
        await composition.close();
      })();
      return stopping;
    },
  };
}

export type ControlPlane<R extends ServingRole = 'all'> = Awaited<ReturnType<typeof startControlPlane<R>>>;
