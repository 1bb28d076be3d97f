// Issue 10 point 2: a body must cost what its bytes cost, not what it expands to. The issue's
// request: one ingress rule with N ipBlock peers under a YAML anchor, then 99 rules aliasing it. At
// 10,000 peers the body is 435 KB and expands to a million peers; before the fixes it stored 37 MB,
// took 32 s, stalled every other tenant for 31 s and grew the server to 2.7 GB (870 KB ran PGlite out
// of memory). Each body is sent once while another tenant reads its clusters; the figures are the
// answer, its time, that tenant's p99 meanwhile, and the server's peak resident memory during the
// request (VmHWM, reset before it through /proc/<pid>/clear_refs).
import { progress } from '../progress.ts';
import { closedLoop, type LoadResult } from './load.ts';
import { type BenchServer, startBenchServer } from './server.ts';
import { type BenchTenant, call, newTenant } from './tenants.ts';

/** Peers under the anchor: 10,000 is the 435 KB body, 20,000 its 870 KB one. */
const PEER_COUNTS = [10_000, 20_000];
const ALIASING_RULES = 99;
const OTHER_READERS = 5;
/** The other tenant reads at least this long, so its p99 has samples however fast the answer is. */
const MIN_READ_MS = 1_000;

/** One ingress rule with `peers` ipBlock peers, then `repeats` rules aliasing it. */
export function amplifyingYaml(peers: number, repeats: number): string {
  const from = Array.from({ length: peers }, (_, i) => `        - ipBlock: {cidr: 10.${(i >> 8) & 255}.${i & 255}.${i >> 16}/32}`).join('\n');
  const rules = Array.from({ length: repeats }, () => '    - from: *p').join('\n');
  return `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: amplified, namespace: shop}\nspec:\n  podSelector: {}\n  ingress:\n    - from: &p\n${from}\n${rules}\n`;
}

/** On the bench's Postgres server and on the embedded default (PGlite in the API's own process). */
export async function measureAmplificationOnBoth(postgresServer: BenchServer) {
  const postgres = await measureAmplification(postgresServer);
  const embedded = await startBenchServer('pglite');
  try {
    return { postgres, pglite: await measureAmplification(embedded) };
  } finally {
    await embedded.stop();
  }
}

async function measureAmplification(server: BenchServer) {
  const sender: BenchTenant = await newTenant(server.url);
  const other = await newTenant(server.url);
  // The server's YAML parser thread starts with its first large body: one ordinary large body first,
  // so the figures are of the bombs, not of a thread starting (under tsx, which compiles its imports).
  const warmUp = await call(server.url, 'POST', `/v1/apply?cluster=${sender.clusterId}&dryRun=true`, sender.key, amplifyingYaml(1_000, 0), 'application/yaml');
  if (warmUp.status >= 500) throw new Error(`warm-up body: ${warmUp.status} ${warmUp.text.slice(0, 200)}`);
  const results = [];
  for (const peers of PEER_COUNTS) {
    const body = amplifyingYaml(peers, ALIASING_RULES);
    progress(`amplification: ${Math.round(body.length / 1000)} KB expanding to ${peers * (ALIASING_RULES + 1)} peers, on ${server.database}`);
    const rssBeforeMiB = server.memoryMiB().rss;
    server.resetPeakMemory();
    let sending = true;
    const reads: Promise<LoadResult> = closedLoop(
      OTHER_READERS,
      () => sending,
      async () => (await call(server.url, 'GET', '/v1/clusters', other.key)).status === 200,
    );
    const started = performance.now();
    const answer = await call(server.url, 'POST', `/v1/clusters/${sender.clusterId}/policies`, sender.key, body, 'application/yaml');
    const answerMs = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, MIN_READ_MS - answerMs)));
    sending = false;
    const otherReads = await reads;
    results.push({
      bodyBytes: body.length,
      expandedPeers: peers * (ALIASING_RULES + 1),
      status: answer.status,
      problem: answer.status >= 400 ? (JSON.parse(answer.text) as { title?: string }).title : undefined,
      answerMs: Math.round(answerMs),
      rssBeforeMiB,
      peakRssMiB: server.memoryMiB().peak,
      otherTenantP99Ms: Math.round(otherReads.p99Ms * 10) / 10,
      otherTenantFailures: otherReads.failures,
    });
  }
  return results;
}
