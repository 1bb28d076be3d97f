// Large YAML bodies are parsed on a worker thread. The yaml library parses about 1 MB/s here, in
// one synchronous call per document: a 415 KB body held the event loop, and so every other tenant's
// requests, for 0.4-0.8 s (`npm run bench -- control-plane --only amplification`). Small bodies stay
// on the event loop, where a thread's round trip would cost more than the parse. Only servers
// (bin/control-plane.ts) use the thread: a Lambda container answers one request at a time.
//
// One thread: the machine's other core serves the event loop, and a tenant's share of the queue is
// already bounded by its concurrent-request slots. The thread's heap is capped, so a body that
// would build too much ends that thread (answered 413) instead of the process; a new thread starts
// for the next body. The thread's script sits beside this module with this module's extension
// (.ts under tsx, .js from tsc, .mjs in the Lambda bundle); where it is missing, parses stay inline.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ApiError, type ApiErrorDetails, type ErrorCode } from '../errors/api-error.ts';
import { readYamlValues } from './read-yaml.ts';

/** Bodies at least this long go to the thread: about 10 ms of parsing on the event loop. */
export const OFF_THREAD_YAML_BYTES = 16 * 1024;
/** The process warning's code when the parser thread cannot start (the build left its script out). */
export const YAML_THREAD_UNAVAILABLE = 'PALISADE_YAML_THREAD_UNAVAILABLE';
/** Far above what an accepted body builds (expansion is bounded by the body's size, which is at most MAX_BODY_BYTES). */
const THREAD_HEAP_MB = 256;

export interface YamlJob {
  id: number;
  text: string;
}
export type YamlOutcome = { id: number; ok: true; values: unknown[] } | { id: number; ok: false; code: ErrorCode; message: string; details: ApiErrorDetails };

interface Pending {
  resolve(values: unknown[]): void;
  reject(error: Error): void;
}

const ownUrl = import.meta.url;
const workerUrl = new URL(`./yaml-worker${extname(fileURLToPath(ownUrl))}`, ownUrl);
/** Until a thread fails to start (a missing or unloadable script): then every parse stays inline. */
let threadsWork = existsSync(workerUrl);

let thread: Worker | undefined;
let nextId = 0;
const pending = new Map<number, YamlJob & Pending>();

/**
 * Under tsx or vitest (this module is TypeScript) a thread does not inherit the loader that runs
 * TypeScript, so it registers tsx's before importing its script; the compiled build needs none.
 */
function newThread(): Worker {
  const options = { resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MB } };
  if (!workerUrl.pathname.endsWith('.ts')) return new Worker(workerUrl, options);
  const tsx = tsxRegisterUrl();
  const script = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(workerUrl.href)}); })`;
  return new Worker(script, { ...options, eval: true });
}

/** tsx's ES module API (`tsx/esm/api`), from its package's exports: require.resolve would give the CommonJS one. */
function tsxRegisterUrl(): string {
  const manifestPath = createRequire(ownUrl).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(join(dirname(manifestPath), manifest.exports['./esm/api']!.import.default)).href;
}

function startThread(): Worker {
  const started = newThread();
  let answered = false;
  // An idle thread must not keep a stopping server alive; a busy one is awaited by its request.
  started.unref();
  started.on('message', (outcome: YamlOutcome) => {
    answered = true;
    const job = pending.get(outcome.id);
    if (!job) return;
    pending.delete(outcome.id);
    if (outcome.ok) job.resolve(outcome.values);
    else job.reject(new ApiError(outcome.code, outcome.message, outcome.details));
  });
  const fail = (reason: string) => {
    if (thread !== started) return;
    thread = undefined;
    const jobs = [...pending.values()];
    pending.clear();
    if (!answered) {
      // It never parsed anything: the script, not a body, is at fault. Parse here from now on, and say so.
      threadsWork = false;
      process.emitWarning(`large YAML bodies are parsed on the event loop: the parser thread did not start (${reason})`, { code: YAML_THREAD_UNAVAILABLE });
      for (const job of jobs) parseInline(job.text).then(job.resolve, job.reject);
      return;
    }
    // Every body queued on the thread goes with it: the one that ended it cannot be told apart.
    for (const job of jobs)
      job.reject(new ApiError('PAYLOAD_TOO_LARGE', `the YAML body could not be parsed within the memory a body may use (${reason}): send a smaller body`));
  };
  started.on('error', (error) => fail(error.message));
  started.on('exit', (code) => fail(`the parser thread exited with ${code}`));
  return started;
}

const parseInline = (text: string) => Promise.resolve().then(() => readYamlValues(text));

/** Set by a long-running server; a Lambda container serves one request at a time, so it parses inline. */
let serving = false;

/**
 * Servers call this before they listen: large bodies go to the thread from then on. The thread
 * starts with the first one (a server that never gets one never pays for it). Idempotent.
 */
export function useYamlParserThread(): void {
  serving = true;
}

/** The body's YAML values, parsed where the event loop is not held for long. */
export function parseYamlBody(text: string): Promise<unknown[]> {
  if (!serving || text.length < OFF_THREAD_YAML_BYTES || !threadsWork) return parseInline(text);
  thread ??= startThread();
  const id = nextId++;
  const parsing = new Promise<unknown[]>((resolve, reject) => pending.set(id, { id, text, resolve, reject }));
  thread.ref();
  thread.postMessage({ id, text } satisfies YamlJob);
  return parsing.finally(() => {
    if (pending.size === 0) thread?.unref();
  });
}
