// Large YAML bodies are parsed off the event loop: while one parses, other requests' callbacks keep
// running, and what the thread answers is exactly what the inline reader answers.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../api/errors/api-error.ts';
import { readYamlValues } from '../../../api/http/read-yaml.ts';
import { OFF_THREAD_YAML_BYTES, parseYamlBody, useYamlParserThread } from '../../../api/http/yaml-parse-pool.ts';
import { amplifyingYaml } from '../../../bench/control-plane/amplification.ts';

/** How many event-loop turns pass while `work` runs: none when it holds the loop throughout. */
async function turnsDuring<T>(work: Promise<T>): Promise<{ result: PromiseSettledResult<T>; turns: number }> {
  let settled = false;
  let turns = 0;
  const counting = (async () => {
    while (!settled) {
      await nextTurn();
      turns += 1;
    }
  })();
  const [result] = await Promise.allSettled([work.finally(() => (settled = true))]);
  await counting;
  return { result: result!, turns };
}

describe('parseYamlBody in a server', () => {
  useYamlParserThread();

  it('parses a 400 KB body while the event loop keeps turning, to the same values as the inline reader', async () => {
    const body = amplifyingYaml(10_000, 0);
    expect(body.length).toBeGreaterThan(OFF_THREAD_YAML_BYTES);
    const { result, turns } = await turnsDuring(parseYamlBody(body));
    expect(result.status).toBe('fulfilled');
    expect((result as PromiseFulfilledResult<unknown[]>).value).toEqual(readYamlValues(body));
    // The inline reader would take the whole parse in one turn; the thread leaves the loop free.
    expect(turns).toBeGreaterThan(100);
  });

  it("answers a large amplifying body with the inline reader's 413, with its limit", async () => {
    const body = amplifyingYaml(10_000, 99);
    const error = await parseYamlBody(body).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(413);
    expect((error as ApiError).details.limit).toBe('yamlExpandedNodes');
  });

  it('answers a large malformed body with 400 and the line, as inline', async () => {
    const filler = Math.ceil(OFF_THREAD_YAML_BYTES / 8);
    const body = `${Array.from({ length: filler }, (_, i) => `k${i}: 1`).join('\n')}\nb: *nope\n`;
    const error = await parseYamlBody(body).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).message).toContain(`line ${filler + 1}, column 4`);
  });
});
