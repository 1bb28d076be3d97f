// The last line of defence against porsager/postgres#1208 / #1154 (postgres.js 3.4.9): a write the
// driver queues for a connection whose socket it has already dropped throws, from a setImmediate
// callback, "Cannot read properties of null (reading 'write')" in connection.js's nextWrite, where no
// caller can catch it, and the process dies with every request it was serving. transaction.ts and
// fetch_types: false (client.ts) remove the paths we know; this keeps a long-running process (serve,
// worker) alive through any other one. It recognises exactly that error, thrown from that function of
// that file; anything else keeps Node's default (print and exit 1). Remove it once the driver's fix
// (porsager/postgres#1155) is released and installed.
import type { Logger } from 'pino';

let installed = false;

const DRIVER_FILE = /[\\/]postgres[\\/](?:cjs[\\/])?src[\\/]connection\.js:/;

export function isClosedSocketWrite(error: unknown): boolean {
  if (!(error instanceof TypeError) || error.message !== "Cannot read properties of null (reading 'write')") return false;
  // The first frame is the throwing function: the driver's nextWrite, in its connection.js.
  const firstFrame = (error.stack ?? '').split('\n').find((line) => line.trimStart().startsWith('at '));
  return firstFrame !== undefined && /\bnextWrite\b/.test(firstFrame) && DRIVER_FILE.test(firstFrame);
}

/** Installs the guard for this process (once); `logger` records each write it absorbed. */
export function surviveClosedSocketWrites(logger: Logger): void {
  if (installed) return;
  installed = true;
  process.on('uncaughtException', (error) => {
    if (isClosedSocketWrite(error)) {
      logger.warn({ code: 'POSTGRES_CLOSED_SOCKET_WRITE' }, 'the database driver wrote to a closed connection (porsager/postgres#1208); kept running');
      return;
    }
    console.error(error);
    process.exit(1);
  });
}
