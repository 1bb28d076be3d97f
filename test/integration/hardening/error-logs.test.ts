// Logs of an unexpected failure (issue 10, item 7): a request that fails inside the database with a
// large parameter is logged as one bounded line naming the request, the route and the database's
// code, with none of what the request sent (manifests, key hashes, query parameters).
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LOGGED_MESSAGE_CHARS } from '../../../api/errors/error-summary.ts';
import { type ApiClient, apiClient, createCluster, networkPolicy, signUp } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';

describe('error logs', () => {
  const lines: string[] = [];
  let control: TestControlPlane;
  let api: ApiClient;

  beforeAll(async () => {
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    control = await startTestControlPlane('postgres', {}, { logger });
    api = apiClient(control.url);
  });
  afterAll(() => control?.stop());

  it('logs a database failure with its code, request id and route, bounded, without the parameters', async () => {
    const { key } = await signUp(api);
    const cluster = await createCluster(api, key);
    // Any policy insert now fails inside Postgres, after the manifest was sent as a parameter.
    await control.plane.database.db.execute(sql.raw('alter table policies add constraint refuse_every_row check (false) not valid'));
    const marker = 'manifest-content-'.repeat(8_000);
    lines.length = 0;
    const response = await api.post(`/v1/clusters/${cluster.id}/policies`, {
      key,
      body: { ...networkPolicy('logged', 'shop'), metadata: { name: 'logged', namespace: 'shop', annotations: { note: marker } } },
    });
    expect(response.status).toBe(500);

    const failures = lines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'unhandled error');
    expect(failures).toHaveLength(1);
    const [failure] = failures;
    expect(failure).toMatchObject({
      code: 'INTERNAL',
      requestId: expect.any(String),
      method: 'POST',
      route: '/v1/clusters/:id/policies',
      error: { sqlState: '23514' },
    });
    expect(failure.error.message.length).toBeLessThanOrEqual(MAX_LOGGED_MESSAGE_CHARS + 32);
    for (const line of lines) {
      expect(line.length).toBeLessThan(8_192);
      expect(line).not.toContain('manifest-content-');
      expect(line).not.toContain(key);
      expect(line).not.toMatch(/params:|Failed query/);
    }
  });
});
