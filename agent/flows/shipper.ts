// Ships aggregated flow logs to the control plane every bucket. Losing a bucket (control plane down)
// loses visibility, never enforcement: failures are logged and the bucket is dropped.
import type { Logger } from 'pino';
import { FLOW_BUCKET_SECONDS } from '../../policy/flow-log.ts';
import type { TokenProvider } from '../credentials.ts';
import type { FlowRecord } from '../datapath/flows.ts';
import { FlowAggregator } from './aggregator.ts';

export const FLOWS_PATH = '/v1/agent/flows';

export interface FlowShipperOptions {
  controlPlaneUrl: string;
  token: TokenProvider;
  nodeName: string;
  logger: Logger;
  intervalMs?: number;
  clock?: () => Date;
}

export interface FlowShipper {
  /** Give to the dataplane as its flow callback. */
  onFlow(flow: FlowRecord): void;
  /** Sends the current bucket now (also done on the timer). */
  ship(): Promise<void>;
  stop(): Promise<void>;
}

export function startFlowShipper(options: FlowShipperOptions): FlowShipper {
  const clock = options.clock ?? (() => new Date());
  const aggregator = new FlowAggregator(clock());
  async function ship(): Promise<void> {
    const { entries, dropped } = aggregator.flush(clock());
    if (entries.length === 0 && dropped === 0) return;
    try {
      const response = await fetch(`${options.controlPlaneUrl}${FLOWS_PATH}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await options.token()}`, 'content-type': 'application/json' },
        body: JSON.stringify({ nodeName: options.nodeName, entries, dropped }),
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) options.logger.warn({ status: response.status, entries: entries.length }, 'flow logs refused; this bucket is lost');
    } catch (error) {
      options.logger.warn({ err: error, entries: entries.length }, 'cannot ship flow logs; this bucket is lost');
    }
  }
  const timer = setInterval(() => void ship(), options.intervalMs ?? FLOW_BUCKET_SECONDS * 1000);
  timer.unref();
  return {
    onFlow: (flow) => aggregator.add(flow, clock()),
    ship,
    async stop() {
      clearInterval(timer);
      await ship();
    },
  };
}
