// `npm run bench -- scrape [--json]`: what one Prometheus scrape of the agent costs (issue 12), at
// 10,000 rules and 250 endpoints, against a 10-rule baseline with the same endpoints.
//
// The agent's scrape path as it runs: agent/metrics (createAgentMetrics().scrape()) over
// observeDatapath (agent/datapath/observe.ts), which reads every loaded program's per-CPU rule
// counters, walks the node's conntrack, fragment and bandwidth maps, and the stats map. The programs
// are the ones the dataplane would load for the inventory (resolved, compiled per endpoint and
// direction, deduplicated by policy hash as the dataplane shares them, loaded into the kernel with
// their maps), but not attached: no traffic could hit 10,000 distinct rules, so every rule's counter
// is written directly (every rule hit: the most series a scrape can render), and the conntrack map
// holds 40 entries per endpoint. Each scrape is a GET of the agent's metrics listener
// (agent/metrics/server.ts) as Prometheus sends it (Accept-Encoding: gzip), timed from request to the
// last byte: the figures are its time and the bytes on the wire, beside the uncompressed text's size.
// Needs root (BPF). Prints a markdown table on stdout (or, with --json, one JSON object); progress on
// stderr.

import { get } from 'node:http';
import { pino } from 'pino';
import { compileDirection } from '../agent/datapath/codegen/program.ts';
import { placeCt4Entries } from '../agent/datapath/ct4-table.ts';
import type { DataplaneObservation } from '../agent/datapath/dataplane.ts';
import { RuleCounter, STAT_REASONS } from '../agent/datapath/layouts.ts';
import { type LoadedProgram, loadCompiledProgram } from '../agent/datapath/load.ts';
import { observeDatapath } from '../agent/datapath/observe.ts';
import { closeSharedMaps, createSharedMaps, type SharedMaps } from '../agent/datapath/shared-maps.ts';
import { createAgentMetrics } from '../agent/metrics/agent-metrics.ts';
import { startAgentMetricsServer } from '../agent/metrics/server.ts';
import { perCpuStride, possibleCpus } from '../bpf/kernel/percpu.ts';
import { resolveEndpointPolicies } from '../policy/evaluation/resolve.ts';
import { type Inventory, inventorySchema } from '../policy/inventory.ts';
import { progress } from './progress.ts';
import { BENCH_NAMESPACE, benchNamespace, benchPolicySet, SERVER_LABELS } from './rules.ts';
import { round, type Sample, sample, withSpread } from './stats.ts';

const RULES = 10_000;
const BASELINE_RULES = 10;
const ENDPOINTS = 250;
const CONNECTIONS_PER_ENDPOINT = 40;
const WARMUP_SCRAPES = 3;
const SCRAPES = 25;

interface ScrapeRow {
  rules: number;
  endpoints: number;
  programs: number;
  conntrackEntries: number;
  series: number;
  /** The exposition text, uncompressed. */
  bytes: number;
  /** On the wire, gzipped as Prometheus asks for it. */
  wireBytes: number;
  ms: Sample;
}

/** One GET of the listener: milliseconds to the last byte, and the body as received. */
function fetchMetrics(url: string, acceptEncoding: string): Promise<{ ms: number; body: Buffer }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    get(url, { headers: { 'accept-encoding': acceptEncoding } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ ms: performance.now() - started, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    }).on('error', reject);
  });
}

/** 250 local endpoints: half selected by the bench policy (the server's labels), half by none. */
function benchInventory(): Inventory {
  return inventorySchema.parse({
    namespaces: [benchNamespace],
    endpoints: Array.from({ length: ENDPOINTS }, (_, i) => ({
      namespace: BENCH_NAMESPACE,
      name: `pod-${i}`,
      labels: i % 2 === 0 ? { ...SERVER_LABELS } : { app: 'other' },
      ipv4: [`198.18.${(i >> 8) & 255}.${i & 255}`],
      hostInterface: `bscr${i}`,
    })),
  });
}

/** The programs the dataplane would run for the inventory: one per distinct direction policy. */
function loadBenchPrograms(rules: number, inventory: Inventory, shared: SharedMaps): LoadedProgram[] {
  const policy = benchPolicySet({ count: rules, clientIp: '198.19.0.1', clientPort: 5201 });
  const resolved = resolveEndpointPolicies(policy, inventory, { endpoints: 'local' });
  const programs = new Map<string, LoadedProgram>();
  for (const endpoint of resolved.values()) {
    for (const direction of ['ingress', 'egress'] as const) {
      const key = `${direction}:${endpoint[direction]?.hash ?? 'none'}`;
      if (!programs.has(key)) programs.set(key, loadCompiledProgram(compileDirection(direction, endpoint[direction]), shared));
    }
  }
  return [...programs.values()];
}

/** Every slot of every program counted as hit on every CPU, so each rule renders a series. */
function hitEveryRule(programs: readonly LoadedProgram[]): void {
  const stride = perCpuStride(RuleCounter.size);
  for (const program of programs) {
    const value = Buffer.alloc(stride * possibleCpus());
    for (let cpu = 0; cpu < possibleCpus(); cpu++) RuleCounter.encodeInto(value, cpu * stride, { packets: 3n, bytes: 180n });
    const keys = program.compiled.slots.map((s) => {
      const key = Buffer.alloc(4);
      key.writeUInt32LE(s.slot);
      return key;
    });
    if (keys.length > 0)
      program.maps.counters.updateBatch(
        keys,
        keys.map(() => value),
      );
  }
}

function fillConntrack(shared: SharedMaps, entries: number): void {
  const lastSeen = process.hrtime.bigint();
  const local = Buffer.from([198, 18, 0, 10]);
  placeCt4Entries(
    shared.conntrack,
    Array.from({ length: entries }, (_, i) => ({ ifindex: i + 1, proto: 17, lport: 40_000, rport: 53, local, remote: local, lastSeen, flags: 0 })),
  );
}

async function measure(rules: number): Promise<ScrapeRow> {
  const inventory = benchInventory();
  const shared = createSharedMaps();
  const programs = loadBenchPrograms(rules, inventory, shared);
  try {
    hitEveryRule(programs);
    fillConntrack(shared, ENDPOINTS * CONNECTIONS_PER_ENDPOINT);
    const metrics = createAgentMetrics();
    const issuedAt = new Date();
    const observe = (): DataplaneObservation =>
      observeDatapath({
        programs,
        shared,
        stats: Object.fromEntries(STAT_REASONS.map((r) => [r, 0])) as Record<(typeof STAT_REASONS)[number], number>,
        bandwidth: [],
        bandwidthCapacity: shared.bwBuckets.maxEntries,
      });
    metrics.watch({ revisions: () => ({ appliedRevision: 1, newestVerified: { revision: 1, issuedAt } }), observe });
    const server = await startAgentMetricsServer(metrics, { host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }) });
    let row: ScrapeRow;
    try {
      const text = (await fetchMetrics(server.url, 'identity')).body.toString();
      let wire: Buffer = Buffer.alloc(0);
      for (let i = 0; i < WARMUP_SCRAPES; i++) wire = (await fetchMetrics(server.url, 'gzip')).body;
      const runs: number[] = [];
      for (let i = 0; i < SCRAPES; i++) {
        const scraped = await fetchMetrics(server.url, 'gzip');
        runs.push(scraped.ms);
        wire = scraped.body;
      }
      row = {
        rules,
        endpoints: ENDPOINTS,
        programs: programs.length,
        conntrackEntries: observe().maps.find((m) => m.name === 'conntrack')!.entries,
        series: text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length,
        bytes: Buffer.byteLength(text),
        wireBytes: wire.length,
        ms: sample(runs),
      };
    } finally {
      await server.close();
    }
    progress(`scrape: ${rules} rules: ${withSpread(row.ms)} ms, ${row.wireBytes} bytes gzipped (${row.bytes} as text), ${row.series} series`);
    return row;
  } finally {
    for (const p of programs) p.close();
    closeSharedMaps(shared);
  }
}

export async function runScrapeBench(options: { json: boolean }): Promise<number> {
  if (process.getuid?.() !== 0) {
    process.stderr.write('bench scrape: needs root (BPF maps and programs)\n');
    return 2;
  }
  progress(`scrape: ${ENDPOINTS} endpoints, ${CONNECTIONS_PER_ENDPOINT} connections each; ${BASELINE_RULES} then ${RULES} rules, ${SCRAPES} scrapes each`);
  const baseline = await measure(BASELINE_RULES);
  const full = await measure(RULES);
  const ratio = { ms: round(full.ms.median / baseline.ms.median), bytes: round(full.wireBytes / baseline.wireBytes) };
  const json = {
    scrapeMs: round(full.ms.median),
    scrapeBytes: full.wireBytes,
    scrapeTextBytes: full.bytes,
    baselineRatio: ratio,
    rows: [baseline, full].map((r) => ({ ...r, ms: { median: round(r.ms.median), min: round(r.ms.min), max: round(r.ms.max) } })),
  };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(json)}\n`);
    return 0;
  }
  const lines = [
    '| rules | endpoints | programs | conntrack entries | series | bytes per scrape (gzip, on the wire) | as text | ms per scrape, median (min..max) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...[baseline, full].map(
      (r) => `| ${r.rules} | ${r.endpoints} | ${r.programs} | ${r.conntrackEntries} | ${r.series} | ${r.wireBytes} | ${r.bytes} | ${withSpread(r.ms)} |`,
    ),
    '',
    `${RULES} rules over the ${BASELINE_RULES}-rule baseline: ${ratio.ms}x the time, ${ratio.bytes}x the bytes on the wire.`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
  return 0;
}
