// POST /v1/agent/status, like OPA's status API: what this node enforces (applied revision), what went
// wrong (refused bundles with the reason, compile/load errors, inventory trouble) and per-endpoint
// program statistics. Sent after every apply attempt and on a timer. Reporting is best effort: a
// failed post is logged and the next report carries the current state anyway; it never stops the agent.
import type { Logger } from 'pino';
import type { TokenProvider } from '../credentials.ts';
import type { ProgramStats } from '../datapath/dataplane.ts';
import type { AgentErrorCode } from '../errors.ts';
import { describeFetchError } from '../http/describe-error.ts';

export const STATUS_PATH = '/v1/agent/status';
/** The status the control plane answers a recorded report with. */
const RECORDED = 204;

/**
 * Mirrors the API's agentErrorSchema limits, so one long message cannot get the whole report refused.
 * Codes need no cut: every one is a short literal of agent/errors.ts.
 */
const LIMITS = { errors: 100, message: 4096, endpoint: 300 } as const;

export interface AgentStatusError {
  code: AgentErrorCode;
  message: string;
  endpoint?: string;
  revision?: number;
}

export interface StatusSnapshot {
  appliedRevision: number | null;
  /** Hash of the inventory the dataplane last applied (inventoryHash), so a relabel's effect is observable. */
  inventoryHash: string | null;
  errors: AgentStatusError[];
  programs: Record<string, ProgramStats>;
}

export interface StatusReporterOptions {
  controlPlaneUrl: string;
  token: TokenProvider;
  nodeName: string;
  agentVersion: string;
  /** Reads the daemon's state at send time, so a report is never staler than the moment it leaves. */
  snapshot: () => StatusSnapshot;
  logger: Logger;
  intervalMs: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export type ReportOutcome = { ok: true } | { ok: false; code: 'NETWORK' | 'HTTP_STATUS' | 'TOKEN_UNAVAILABLE'; message: string };

export interface StatusReporter {
  /** Sends now; if a report is in flight, one more follows it (with the state as of then). */
  report(): Promise<ReportOutcome>;
  start(): void;
  stop(): Promise<void>;
}

export function createStatusReporter(options: StatusReporterOptions): StatusReporter {
  const doFetch = options.fetch ?? fetch;
  let inFlight: Promise<ReportOutcome> | undefined;
  let again: Promise<ReportOutcome> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function send(): Promise<ReportOutcome> {
    let authorization: string;
    try {
      authorization = `Bearer ${await options.token()}`;
    } catch (error) {
      return failed('TOKEN_UNAVAILABLE', `cannot read the agent token: ${(error as Error).message}`);
    }
    const snapshot = options.snapshot();
    const body = {
      nodeName: options.nodeName,
      appliedRevision: snapshot.appliedRevision,
      ...(snapshot.inventoryHash ? { inventoryHash: snapshot.inventoryHash } : {}),
      agentVersion: options.agentVersion,
      errors: snapshot.errors.slice(0, LIMITS.errors).map(fit),
      programs: snapshot.programs,
    };
    try {
      const response = await doFetch(`${options.controlPlaneUrl}${STATUS_PATH}`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      const text = await response.text().catch(() => '');
      // The control plane records a report with 204 and nothing else: a 200 with a page of HTML is a
      // proxy or portal in the way, and the report did not arrive.
      if (response.status === RECORDED) return { ok: true };
      return failed(
        'HTTP_STATUS',
        `${STATUS_PATH} answered ${response.status} (${response.headers.get('content-type') ?? 'no content type'}): ${text.slice(0, 500)}`,
      );
    } catch (error) {
      return failed('NETWORK', describeFetchError(error));
    }
  }

  function failed(code: 'NETWORK' | 'HTTP_STATUS' | 'TOKEN_UNAVAILABLE', message: string): ReportOutcome {
    options.logger.warn({ code, reason: message }, 'status report not delivered; the next one will carry the current state');
    return { ok: false, code, message };
  }

  function report(): Promise<ReportOutcome> {
    if (!inFlight) {
      inFlight = send().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    }
    // Coalesce: however many reports are asked for meanwhile, one more goes out after the current one.
    again ??= inFlight.then(() => {
      again = undefined;
      return report();
    });
    return again;
  }

  return {
    report,
    start() {
      if (timer || stopped) return;
      timer = setInterval(() => void report(), options.intervalMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      timer = undefined;
      await inFlight;
    },
  };
}

function fit(error: AgentStatusError): AgentStatusError {
  return {
    code: error.code,
    message: error.message.slice(0, LIMITS.message),
    ...(error.endpoint !== undefined ? { endpoint: error.endpoint.slice(0, LIMITS.endpoint) } : {}),
    ...(error.revision !== undefined && Number.isInteger(error.revision) && error.revision >= 0 ? { revision: error.revision } : {}),
  };
}
