// The worker thread's side of yaml-parse-pool.ts: parses one body per message with the same pure
// reader the event loop uses for small bodies, and answers the values or the ApiError's parts (an
// Error does not survive postMessage as its class).
import { parentPort } from 'node:worker_threads';
import { ApiError } from '../errors/api-error.ts';
import { readYamlValues } from './read-yaml.ts';
import type { YamlJob, YamlOutcome } from './yaml-parse-pool.ts';

parentPort?.on('message', ({ id, text }: YamlJob) => {
  let outcome: YamlOutcome;
  try {
    outcome = { id, ok: true, values: readYamlValues(text) };
  } catch (error) {
    outcome =
      error instanceof ApiError
        ? { id, ok: false, code: error.code, message: error.message, details: error.details }
        : { id, ok: false, code: 'INTERNAL', message: (error as Error).message ?? String(error), details: {} };
  }
  parentPort?.postMessage(outcome);
});
