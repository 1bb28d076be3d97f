// The one way the CLI reaches the control plane: fetch with the API key, JSON in and out, every
// response parsed by a schema of the fields the CLI reads (an unexpected answer is an error that says
// so), problem+json turned into CliError, and retries that are safe: every POST carries an
// Idempotency-Key, kept across the retries of one request, so a create or an apply runs once.
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { CliError, EXIT } from '../exit-codes.ts';
import { pause } from './pause.ts';
import { problemError, problemSchema } from './problem.ts';

export interface RequestOptions<T> {
  query?: Record<string, string | number | undefined>;
  /** Sent as JSON. */
  body?: unknown;
  /** Parses a 2xx body; absent for 204 answers. */
  schema?: z.ZodType<T>;
  describeField?: (path: string) => string;
}

/** An event stream opened, or a failure worth reconnecting after (the server away, busy or restarting). */
export type EventStreamAnswer = { ok: true; body: ReadableStream<Uint8Array> } | { ok: false; reason: string; retryAfterMs: number | undefined };

export interface ApiClient {
  readonly url: string;
  request<T = undefined>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, options?: RequestOptions<T>): Promise<T>;
  /** GET of a server-sent event stream; other refusals (bad key, no such cluster) throw CliError. */
  openEventStream(path: string, options: { query?: RequestOptions<never>['query']; lastEventId?: string | undefined }): Promise<EventStreamAnswer>;
}

interface ClientOptions {
  url: string;
  apiKey: string;
  signal?: AbortSignal;
  /** Delays between attempts; one attempt per entry plus the first. */
  retryDelaysMs?: readonly number[];
}

const DEFAULT_RETRY_DELAYS_MS = [250, 1_000, 3_000];
const REQUEST_TIMEOUT_MS = 30_000;
/** Gateway trouble: worth another try, with the same Idempotency-Key. */
const RETRIED_STATUSES = new Set([502, 503, 504]);

export function createApiClient(options: ClientOptions): ApiClient {
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;

  async function send(method: string, url: string, headers: Record<string, string>, body: string | undefined): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const signals = [AbortSignal.timeout(REQUEST_TIMEOUT_MS), ...(options.signal ? [options.signal] : [])];
      let response: Response;
      try {
        response = await fetch(url, { method, headers, body, signal: AbortSignal.any(signals) });
      } catch (error) {
        if (attempt >= delays.length || options.signal?.aborted) {
          const { cause } = error as { cause?: { code?: string; message?: string } };
          const reason = cause?.code ?? cause?.message ?? (error as Error).message;
          throw new CliError(
            EXIT.FAILURE,
            `cannot reach ${options.url} (${reason})`,
            'check the URL (`palisade login --url`, PALISADE_URL) and that the server is running',
          );
        }
        await pause(delays[attempt]!, options.signal);
        continue;
      }
      if (!RETRIED_STATUSES.has(response.status) || attempt >= delays.length) return response;
      await response.body?.cancel();
      await pause(delays[attempt]!, options.signal);
    }
  }

  function urlOf(path: string, query: RequestOptions<never>['query']): URL {
    const url = new URL(`${options.url}${path}`);
    for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    return url;
  }

  return {
    url: options.url,
    async openEventStream(path, request) {
      const headers: Record<string, string> = { authorization: `Bearer ${options.apiKey}`, accept: 'text/event-stream' };
      if (request.lastEventId !== undefined) headers['last-event-id'] = request.lastEventId;
      let response: Response;
      try {
        // No request timeout: the stream stays open as long as both ends want it.
        response = await fetch(urlOf(path, request.query), { headers, ...(options.signal ? { signal: options.signal } : {}) });
      } catch (error) {
        const { cause } = error as { cause?: { code?: string; message?: string } };
        return { ok: false, reason: cause?.code ?? cause?.message ?? (error as Error).message, retryAfterMs: undefined };
      }
      if (response.ok && response.body) return { ok: true, body: response.body };
      if (response.status === 429 || response.status >= 500) {
        await response.body?.cancel();
        const seconds = Number(response.headers.get('retry-after'));
        return { ok: false, reason: `answered ${response.status}`, retryAfterMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1_000 : undefined };
      }
      const text = await response.text();
      const problem = problemSchema.safeParse(parseJson(text));
      if (problem.success) throw problemError(problem.data);
      throw new CliError(
        EXIT.FAILURE,
        `GET ${path} answered ${response.status} without a problem document: ${text.slice(0, 200)}`,
        'check the URL points at a palisade control plane',
      );
    },
    async request(method, path, request = {}) {
      const url = urlOf(path, request.query);
      const headers: Record<string, string> = { authorization: `Bearer ${options.apiKey}`, accept: 'application/json' };
      if (method === 'POST') headers['idempotency-key'] = randomUUID();
      let body: string | undefined;
      if (request.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(request.body);
      }
      const response = await send(method, url.href, headers, body);
      const text = await response.text();
      const json = parseJson(text);
      const where = `${method} ${url.pathname}`;
      if (!response.ok) {
        const problem = problemSchema.safeParse(json);
        if (problem.success) throw problemError(problem.data, request.describeField);
        throw new CliError(
          EXIT.FAILURE,
          `${where} answered ${response.status} without a problem document: ${text.slice(0, 200)}`,
          'check the URL points at a palisade control plane',
        );
      }
      if (!request.schema) return undefined as never;
      const parsed = request.schema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new CliError(
          EXIT.FAILURE,
          `unexpected response from ${where}: ${issue.path.join('.') || '(body)'}: ${issue.message}`,
          'check the URL points at a palisade control plane of a version this CLI knows',
        );
      }
      return parsed.data;
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}
