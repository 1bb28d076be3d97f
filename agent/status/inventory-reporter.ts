// PUT /v1/agent/inventory: the endpoint inventory this agent enforces with, so the control plane can
// explain verdicts (GET /v1/clusters/{id}/explain) against the same pods and labels. Sent when its
// hash changes; best effort like the status report: a failed or refused post is logged, retried on
// the next offer (the daemon offers again on every status tick), and never stops the agent.
import type { Logger } from 'pino';
import { type Inventory, inventoryHash } from '../../policy/inventory.ts';
import type { TokenProvider } from '../credentials.ts';
import { describeFetchError } from '../http/describe-error.ts';

export const INVENTORY_PATH = '/v1/agent/inventory';
/** The API's limit for this path (api/routes/agent/inventory.ts); bigger ones are not sent. */
export const MAX_INVENTORY_BYTES = 16 * 1024 * 1024;

export interface InventoryReporterOptions {
  controlPlaneUrl: string;
  token: TokenProvider;
  nodeName: string;
  logger: Logger;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export type InventoryPostOutcome = { ok: true; hash: string; sent: boolean } | { ok: false; hash: string; message: string };

export interface InventoryReporter {
  /** Posts `inventory` unless its hash is the one last delivered; concurrent offers are serialised. */
  offer(inventory: Inventory): Promise<InventoryPostOutcome>;
  /** Hash of the inventory the control plane last accepted from this agent. */
  readonly deliveredHash: string | undefined;
}

export function createInventoryReporter(options: InventoryReporterOptions): InventoryReporter {
  const doFetch = options.fetch ?? fetch;
  let delivered: string | undefined;
  let lastFailure: string | undefined;
  let chain: Promise<unknown> = Promise.resolve();

  async function send(inventory: Inventory): Promise<InventoryPostOutcome> {
    const hash = inventoryHash(inventory);
    if (hash === delivered) return { ok: true, hash, sent: false };
    const fail = (message: string): InventoryPostOutcome => {
      // The same failure on every retry would flood the log; say it once.
      if (message !== lastFailure) options.logger.warn({ reason: message, hash }, 'inventory not delivered to the control plane; will retry');
      lastFailure = message;
      return { ok: false, hash, message };
    };
    try {
      const body = JSON.stringify(inventory);
      if (Buffer.byteLength(body) > MAX_INVENTORY_BYTES)
        return fail(`inventory is ${Buffer.byteLength(body)} bytes, over the ${MAX_INVENTORY_BYTES}-byte limit`);
      const authorization = `Bearer ${await options.token()}`;
      const response = await doFetch(`${options.controlPlaneUrl}${INVENTORY_PATH}?nodeName=${encodeURIComponent(options.nodeName)}`, {
        method: 'PUT',
        headers: { authorization, 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
      const text = await response.text().catch(() => '');
      if (response.status < 200 || response.status >= 300) return fail(`${INVENTORY_PATH} answered ${response.status}: ${text.slice(0, 500)}`);
      delivered = hash;
      lastFailure = undefined;
      options.logger.info({ hash, endpoints: inventory.endpoints.length }, 'inventory delivered to the control plane');
      return { ok: true, hash, sent: true };
    } catch (error) {
      return fail(describeFetchError(error));
    }
  }

  return {
    offer(inventory) {
      const run = chain.then(() => send(inventory));
      chain = run.catch(() => {});
      return run;
    },
    get deliveredHash() {
      return delivered;
    },
  };
}
