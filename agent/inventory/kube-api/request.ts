// GET requests to the API server over node:http(s): a paginated list, and a watch whose body is
// handed over chunk by chunk as it streams. Node's fetch would need undici's Agent (not importable on
// Node 20 without the package) for a private CA or a client certificate; node:https takes them as
// options. One keep-alive agent per client, so lists reuse connections; each watch holds one.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { KubeConnection } from './connection.ts';

/** A refused request: the HTTP status (410 Gone matters to list-watch.ts) and the Status message. */
export class KubeApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

export interface KubeList<T> {
  metadata: { resourceVersion?: string };
  items: T[];
}

export interface WatchStream {
  /** Resolves when the stream ends: undefined when the server ended it, the error when it broke. */
  done: Promise<Error | undefined>;
  close(): void;
}

export type Query = Record<string, string | number | boolean | undefined>;

/** A page of a list: the API server caps it and hands a `continue` token for the rest. */
const PAGE_SIZE = 500;
const LIST_TIMEOUT_MS = 60_000;

export class KubeApi {
  private readonly agent: HttpAgent;
  private readonly request: typeof httpRequest;

  constructor(private readonly connection: KubeConnection) {
    const secure = connection.server.startsWith('https:');
    this.agent = secure ? new HttpsAgent({ keepAlive: true, ...connection.tls }) : new HttpAgent({ keepAlive: true });
    this.request = secure ? httpsRequest : httpRequest;
  }

  /** Every page of a list, as one list carrying the resourceVersion of the last page. */
  async list<T>(path: string, query: Query = {}): Promise<KubeList<T>> {
    const items: T[] = [];
    let next: string | undefined;
    let resourceVersion: string | undefined;
    do {
      const res = await this.send(path, { ...query, limit: PAGE_SIZE, continue: next }, LIST_TIMEOUT_MS);
      const body = await readBody(res);
      if (res.statusCode !== 200) throw refused(res, body);
      const page = JSON.parse(body) as { metadata?: { resourceVersion?: string; continue?: string }; items?: T[] };
      for (const item of page.items ?? []) items.push(item);
      resourceVersion = page.metadata?.resourceVersion;
      next = page.metadata?.continue || undefined;
    } while (next !== undefined);
    return { metadata: { resourceVersion }, items };
  }

  /**
   * Opens a watch; resolves once the server accepted it (rejects with a KubeApiError when it refused).
   * `idleMs`: a stream silent for that long is taken for dead (a peer gone without a reset).
   * `onChunk` returns false to end the stream there (an ERROR event: nothing after it counts).
   */
  async watch(path: string, query: Query, onChunk: (chunk: Buffer) => boolean, idleMs: number): Promise<WatchStream> {
    const res = await this.send(path, { watch: true, ...query }, idleMs);
    if (res.statusCode !== 200) throw refused(res, await readBody(res));
    const done = new Promise<Error | undefined>((resolve) => {
      res.on('data', (chunk: Buffer) => {
        if (!onChunk(chunk)) res.destroy();
      });
      res.on('end', () => resolve(undefined));
      res.on('error', (error) => resolve(error));
      res.on('close', () => resolve(res.complete ? undefined : new Error('watch connection closed')));
    });
    return { done, close: () => res.destroy() };
  }

  close(): void {
    this.agent.destroy();
  }

  private send(path: string, query: Query, timeoutMs: number): Promise<IncomingMessage> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, String(value));
    const token = this.connection.token();
    return new Promise((resolve, reject) => {
      const req = this.request(`${this.connection.server}${path}?${search}`, {
        agent: this.agent,
        headers: { accept: 'application/json', ...(token !== undefined && { authorization: `Bearer ${token}` }) },
        timeout: timeoutMs,
      });
      req.on('response', resolve);
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error(`no data from the API server for ${timeoutMs} ms`)));
      req.end();
    });
  }
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

function refused(res: IncomingMessage, body: string): KubeApiError {
  let message = res.statusMessage ?? 'refused';
  try {
    const status = JSON.parse(body) as { message?: unknown };
    if (typeof status.message === 'string') message = status.message;
  } catch {
    // not a Status: keep the HTTP reason
  }
  return new KubeApiError(res.statusCode ?? 0, message);
}
