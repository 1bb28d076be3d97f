// The loads' generator (http-load.c): compiled with gcc once per bench run, run as a child process
// so its sockets cost the bench's event loop nothing, its answer read into the same LoadResult as
// load.ts's closed loop over fetch. `withTrivialServer` lends its own do-nothing server, so the bench can
// show what the generator (and fetch) can do on this machine at most, beside the figures it produced.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type LoadResult, percentile } from './load.ts';
import { freePort } from './server.ts';

export interface HttpLoadRequest {
  /** http://127.0.0.1:PORT; the generator speaks to IPv4 addresses only. */
  url: string;
  path: string;
  /** Sent as `Authorization: Bearer <key>`. */
  key?: string;
  expectedStatus?: number;
  /** Each connection sends at most one request this often (a client keeping under a rate limit); unset, as fast as answers come. */
  intervalMs?: number;
  /**
   * A POST of this body (YAML) instead of a GET. Its first run of '@' is a counter the generator rewrites
   * before each send (http-load.c), so each of a connection's applies writes something new.
   */
  yamlBody?: string;
}

export interface HttpLoadGenerator {
  /**
   * `concurrency` keep-alive connections in a closed loop: `warmupMs` not counted, then `durationMs`
   * measured. Given several requests, connection i sends the i-th (modulo their number): one
   * tenant's writes per connection, say. They share the first one's url and expected status.
   */
  run(request: HttpLoadRequest | readonly HttpLoadRequest[], concurrency: number, warmupMs: number, durationMs: number): Promise<LoadResult>;
  /** `work` with the generator's own do-nothing server listening at the url it is given. */
  withTrivialServer<T>(work: (url: string) => Promise<T>): Promise<T>;
  close(): void;
}

function output(binary: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      text += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`http-load exited with ${code}`))));
  });
}

function resultOf(text: string): LoadResult {
  const [summary, ...lines] = text.trimEnd().split('\n');
  const match = /^requests (\d+) seconds ([\d.]+) failures (\d+)$/.exec(summary ?? '');
  if (!match) throw new Error(`http-load: unexpected output ${summary}`);
  const latencies = lines.map((line) => Number(line) / 1000);
  const seconds = Number(match[2]);
  return {
    requests: Number(match[1]),
    perSecond: Number(match[1]) / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    failures: Number(match[3]),
  };
}

function requestBytes(read: HttpLoadRequest, host: string): string {
  const lines = [`${read.yamlBody === undefined ? 'GET' : 'POST'} ${read.path} HTTP/1.1`, `Host: ${host}`, 'Accept: application/json'];
  if (read.key) lines.push(`Authorization: Bearer ${read.key}`);
  if (read.yamlBody === undefined) return `${lines.join('\r\n')}\r\n\r\n`;
  lines.push('Content-Type: application/yaml', `Content-Length: ${Buffer.byteLength(read.yamlBody)}`);
  return `${lines.join('\r\n')}\r\n\r\n${read.yamlBody}`;
}

/** The do-nothing server, listening once it says so; stopped by the returned function. */
function startServe(binary: string, port: number): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['serve', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`http-load serve exited with ${code} before listening`)));
    createInterface({ input: child.stdout }).once('line', () => resolve(() => child.kill('SIGTERM')));
  });
}

export function httpLoadGenerator(): HttpLoadGenerator {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-bench-http-load-'));
  const binary = join(dir, 'http-load');
  execFileSync('gcc', ['-O2', '-Wall', '-o', binary, fileURLToPath(new URL('./http-load.c', import.meta.url))], { stdio: ['ignore', 'ignore', 'inherit'] });
  let runs = 0;
  async function run(request: HttpLoadRequest | readonly HttpLoadRequest[], concurrency: number, warmupMs: number, durationMs: number): Promise<LoadResult> {
    const requests: readonly HttpLoadRequest[] = Array.isArray(request) ? request : [request];
    const [first] = requests;
    if (!first) throw new Error('http-load: no request to send');
    const { hostname, port, host } = new URL(first.url);
    const files = requests.map((each, index) => {
      const file = join(dir, `request-${runs}-${index}`);
      writeFileSync(file, requestBytes(each, host));
      return file;
    });
    runs++;
    const args = [hostname, port, String(concurrency), String(warmupMs), String(durationMs), String(first.expectedStatus ?? 200), files.join(',')];
    if (first.intervalMs !== undefined) args.push(String(first.intervalMs));
    return resultOf(await output(binary, args));
  }
  return {
    run,
    async withTrivialServer(work) {
      const port = await freePort();
      const stop = await startServe(binary, port);
      try {
        return await work(`http://127.0.0.1:${port}`);
      } finally {
        stop();
      }
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}
