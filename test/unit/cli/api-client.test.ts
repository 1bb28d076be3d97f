// The CLI's HTTP client against a scripted server: every POST carries an Idempotency-Key, a retry of
// the same request (after a gateway error) sends the same key, a new request a new one; GETs carry
// none; answers are parsed, and problem documents become the CLI's errors with their exit codes.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApiClient } from '../../../cli/api/client.ts';
import { CliError } from '../../../cli/exit-codes.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('the CLI API client', () => {
  let server: Server;
  let url: string;
  const seen: Seen[] = [];
  /** Statuses the server answers with, in turn; 200 with `{"ok":true}` once they run out. */
  let script: { status: number; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        seen.push({ method: request.method!, url: request.url!, headers: request.headers, body });
        const next = script.shift() ?? { status: 200, body: '{"ok":true}' };
        const type = next.status >= 400 ? 'application/problem+json' : 'application/json';
        response.writeHead(next.status, { 'content-type': type }).end(next.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server?.close());

  const client = () => createApiClient({ url, apiKey: 'pal_test', retryDelaysMs: [1, 1] });
  const ok = z.object({ ok: z.boolean() });

  it('retries a POST after gateway errors with the same Idempotency-Key, and gives the next POST a new one', async () => {
    seen.length = 0;
    script = [
      { status: 503, body: '' },
      { status: 502, body: '' },
    ];
    expect(await client().request('POST', '/v1/apply', { query: { cluster: 'c', dryRun: 'false' }, body: [{ kind: 'X' }], schema: ok })).toEqual({ ok: true });
    await client().request('POST', '/v1/apply', { body: [], schema: ok });
    await client().request('GET', '/v1/clusters', { schema: ok });

    expect(seen.map((request) => `${request.method} ${request.url}`)).toEqual([
      'POST /v1/apply?cluster=c&dryRun=false',
      'POST /v1/apply?cluster=c&dryRun=false',
      'POST /v1/apply?cluster=c&dryRun=false',
      'POST /v1/apply',
      'GET /v1/clusters',
    ]);
    const keys = seen.map((request) => request.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys.slice(0, 3)).toEqual([keys[0], keys[0], keys[0]]);
    expect(keys[3]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[3]).not.toBe(keys[0]);
    expect(keys[4]).toBeUndefined();
    expect(seen[0]).toMatchObject({ headers: { authorization: 'Bearer pal_test', 'content-type': 'application/json' }, body: '[{"kind":"X"}]' });
  });

  it('gives up after its retries with the last answer', async () => {
    script = [
      { status: 503, body: '{"status":503,"code":"UNAVAILABLE","detail":"down for maintenance"}' },
      { status: 503, body: '{"status":503,"code":"UNAVAILABLE","detail":"down for maintenance"}' },
      { status: 503, body: '{"status":503,"code":"UNAVAILABLE","detail":"down for maintenance"}' },
    ];
    const error = await client()
      .request('GET', '/v1/clusters', { schema: ok })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ exitCode: 6, message: 'down for maintenance [UNAVAILABLE]' });
  });

  it.each([
    { status: 401, exitCode: 3 },
    { status: 403, exitCode: 3 },
    { status: 404, exitCode: 4 },
    { status: 400, exitCode: 5 },
    { status: 422, exitCode: 5 },
    { status: 409, exitCode: 6 },
  ])('maps a $status problem to exit code $exitCode, naming the first field in the caller’s terms', async ({ status, exitCode }) => {
    script = [
      {
        status,
        body: JSON.stringify({
          status,
          code: 'SOME_CODE',
          detail: 'spec.x: bad',
          errors: [
            { path: '2.spec.x', message: 'bad' },
            { path: '3.spec.y', message: 'worse' },
          ],
        }),
      },
    ];
    const error = await client()
      .request('POST', '/v1/apply', { body: [], describeField: (path) => `file.yaml#${Number(path.split('.')[0]) + 1} ${path.split('.').slice(1).join('.')}` })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ exitCode, message: 'file.yaml#3 spec.x: bad (and 1 more) [SOME_CODE]' });
  });
});
