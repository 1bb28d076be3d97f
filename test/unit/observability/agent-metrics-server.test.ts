// The agent's metrics listener sends the scrape gzipped to a scraper that accepts gzip (Prometheus
// does: at 10,000 rules the text is 1.4 MB), and as plain text to one that does not or refuses it.
import { get } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentMetrics } from '../../../agent/metrics/agent-metrics.ts';
import { type AgentMetricsServer, startAgentMetricsServer } from '../../../agent/metrics/server.ts';

function scrape(url: string, acceptEncoding?: string): Promise<{ encoding: string | undefined; vary: string | undefined; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ encoding: response.headers['content-encoding'], vary: response.headers.vary, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    }).on('error', reject);
  });
}

describe('agent metrics listener', () => {
  let server: AgentMetricsServer;

  beforeAll(async () => {
    const metrics = createAgentMetrics();
    metrics.watch({ revisions: () => ({ appliedRevision: 7, newestVerified: undefined }) });
    server = await startAgentMetricsServer(metrics, { host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }) });
  });
  afterAll(() => server?.close());

  it('gzips the scrape for a scraper that accepts gzip, as Prometheus asks', async () => {
    const answer = await scrape(server.url, 'gzip');
    expect(answer.encoding).toBe('gzip');
    expect(answer.vary).toBe('accept-encoding');
    expect(gunzipSync(answer.body).toString()).toMatch(/^palisade_agent_applied_revision 7$/m);
  });

  it('sends plain text to a scraper that does not accept gzip or refuses it', async () => {
    for (const header of [undefined, 'identity', 'gzip;q=0, identity']) {
      const answer = await scrape(server.url, header);
      expect(answer.encoding, String(header)).toBeUndefined();
      expect(answer.body.toString(), String(header)).toMatch(/^palisade_agent_applied_revision 7$/m);
    }
  });
});
