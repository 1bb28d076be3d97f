// One share of the long-poll section's agents, in a process of its own (forked with an IPC channel;
// tsx's loader does not reach worker threads): 10,000 sockets' reads and answers kept off the event
// loop that times the other tenant's requests, whose latencies they otherwise inflate with their own
// turns. node:http with one agent per process and no keep-alive is a socket and a parser per waiter;
// undici's fetch on one origin adds a pool walk per request and per-response streams that the bench
// paid for in its own figures.
import { Agent, request } from 'node:http';

export interface WaiterShare {
  url: string;
  token: string;
  revision: number;
  count: number;
  /** Opened this many at a time, a pause between: 10,000 connects at once overflow the accept backlog. */
  batch: number;
  batchEveryMs: number;
  waitSeconds: number;
}

/** `at` is wall-clock milliseconds (timeOrigin + now), comparable across processes. */
export interface WaiterAnswer {
  /** 0: no answer (the connection failed or was reset); `failure` says how. */
  status: number;
  at: number;
  failure?: string;
}

/** From the bench: `report` asks for the answers so far; the process sends `done` when all are in. */
export type WaiterMessage = { kind: 'opened' } | { kind: 'report'; answers: WaiterAnswer[] } | { kind: 'done'; answers: WaiterAnswer[] };

/** The bench passes the share as JSON in the one argument. */
const share = JSON.parse(process.argv[2] ?? '{}') as WaiterShare;
const answers: WaiterAnswer[] = [];
const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
const now = () => performance.timeOrigin + performance.now();
const post = (message: WaiterMessage) => process.send?.(message);

function wait(): Promise<void> {
  return new Promise((resolve) => {
    const answered = (status: number, failure?: Error) => {
      answers.push({ status, at: now(), ...(failure && { failure: (failure as NodeJS.ErrnoException).code ?? failure.message }) });
      resolve();
    };
    const sent = request(
      `${share.url}/v1/agent/bundle?wait=${share.waitSeconds}`,
      { agent, headers: { authorization: `Bearer ${share.token}`, 'if-none-match': `"r${share.revision}"` } },
      (response) => {
        response.resume();
        response.once('end', () => answered(response.statusCode ?? 0));
        response.once('error', (error) => answered(0, error));
      },
    );
    sent.once('error', (error) => answered(0, error));
    sent.end();
  });
}

process.on('message', (message: 'report') => {
  if (message === 'report') post({ kind: 'report', answers: [...answers] });
});

const waiting: Promise<void>[] = [];
for (let opened = 0; opened < share.count; opened += share.batch) {
  for (let index = opened; index < Math.min(share.count, opened + share.batch); index++) waiting.push(wait());
  await new Promise((resolve) => setTimeout(resolve, share.batchEveryMs));
}
post({ kind: 'opened' });
await Promise.all(waiting);
post({ kind: 'done', answers });
