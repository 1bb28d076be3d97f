// The control plane a lab session talks to: the real one (API, outbox relay, bundle builder and
// signer), in-process, on embedded PGlite in a temp dir, with silent logs. One per session, shared by
// its cases: each case signs up its own tenant, so cases cannot see each other's policies.
//
// The runner calls it on 127.0.0.1. A case's agent lives in the run's node netns and cannot reach
// the root namespace's loopback, so each case also serves the same app on its uplink address
// (listen()), and closes that listener, with its long-polls, when the case ends.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { pino } from 'pino';
import { configFromEnv, RATE_LIMITS_LIFTED } from '../../bin/config.ts';
import { startControlPlane } from '../../bin/control-plane.ts';
import { processStartTime } from '../net/registry.ts';
import { onExitSync } from './exit-hooks.ts';

export const CONTROL_PLANE_DIR_PREFIX = 'palisade-lab-cp-';

export interface Listener {
  url: string;
  close(): Promise<void>;
}

export interface LabControlPlane {
  /** Base URL on 127.0.0.1, for the runner's own REST calls. */
  url: string;
  /** GET /metrics on 127.0.0.1, when started with `metrics`. */
  metricsUrl: string | undefined;
  /** Serves the control plane on `host` too (an uplink address), on an ephemeral port. */
  listen(host: string): Promise<Listener>;
  /** Idempotent. */
  stop(): Promise<void>;
}

export interface LabControlPlaneOptions {
  /** pino level for the control plane's own logs (default 'silent'). */
  logLevel?: string;
  /** Serve Prometheus metrics on a free port of 127.0.0.1 (default off). */
  metrics?: boolean;
}

export async function startLabControlPlane(options: LabControlPlaneOptions = {}): Promise<LabControlPlane> {
  const dataDir = mkdtempSync(join(tmpdir(), CONTROL_PLANE_DIR_PREFIX));
  // Who owns the dir, so a later session can sweep it if this process dies without cleaning up.
  writeFileSync(join(dataDir, 'owner.json'), JSON.stringify({ pid: process.pid, pidStart: processStartTime(process.pid) ?? '' }));
  const unregister = onExitSync(() => rmSync(dataDir, { recursive: true, force: true }));
  const logLevel = options.logLevel ?? 'silent';
  let plane: Awaited<ReturnType<typeof startControlPlane>>;
  try {
    const config = configFromEnv({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DEMO_TENANT: 'false',
      LOG_LEVEL: logLevel as 'silent',
      // NOTIFY wakes the relay at once; the poll only covers a missed notification.
      RELAY_POLL_MS: '200',
      // The lab is one loopback client signing up a tenant per case and applying in quick steps.
      ...RATE_LIMITS_LIFTED,
      ...(options.metrics && { METRICS_PORT: '0' }),
    });
    plane = await startControlPlane(config, { logger: pino({ level: logLevel }) });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    unregister();
    throw error;
  }

  const listeners = new Set<Listener>();
  let stopping: Promise<void> | undefined;

  const listen = (host: string): Promise<Listener> =>
    new Promise((resolve, reject) => {
      const server = serve({ fetch: plane.app.fetch, port: 0, hostname: host });
      server.once('error', reject);
      server.once('listening', () => {
        server.off('error', reject);
        const { port } = server.address() as AddressInfo;
        let closing: Promise<void> | undefined;
        const listener: Listener = {
          url: `http://${host}:${port}`,
          close: () =>
            (closing ??= new Promise<void>((done) => {
              listeners.delete(listener);
              server.close(() => done());
              // Long-polling agents hold their requests open for up to their wait: cut them.
              (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
            })),
        };
        listeners.add(listener);
        resolve(listener);
      });
    });

  return {
    url: plane.url,
    metricsUrl: plane.metrics?.url,
    listen,
    stop: () =>
      (stopping ??= (async () => {
        await Promise.all([...listeners].map((l) => l.close()));
        await plane.stop();
        rmSync(dataDir, { recursive: true, force: true });
        unregister();
      })()),
  };
}
