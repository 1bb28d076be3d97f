// The control plane as a server: the composition (compose.ts) for a role that serves HTTP, listening
// on the configured host and port. `palisade serve` runs it; tests and the lab start it in-process.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type ComposeOptions, compose, type Role } from './compose.ts';
import type { ControlPlaneConfig } from './config.ts';

export type ServingRole = Exclude<Role, 'worker'>;

export async function startControlPlane<R extends ServingRole = 'all'>(config: ControlPlaneConfig, options: ComposeOptions & { role?: R } = {}) {
  const composition = await compose(config, options.role ?? ('all' as R), options);
  const { app } = composition;
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(started));
  });
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
