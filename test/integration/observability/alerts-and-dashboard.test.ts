// infra/observability as shipped: the alert rules pass `promtool check rules` and their unit tests
// (`promtool test rules`), the Grafana dashboard parses and every query in it is valid PromQL, and
// every palisade metric the alerts and the dashboard name exists in our registries (control plane
// and agent), so a renamed family cannot leave a silent panel or a dead alert.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentMetrics } from '../../../agent/metrics/agent-metrics.ts';
import { RULE_FAMILY_NAMES } from '../../../agent/metrics/rule-families.ts';
import { type BundleWaiters, listenForBundles } from '../../../api/services/bundle-waiters.ts';
import { createControlPlaneMetrics } from '../../../bin/metrics/control-plane-registry.ts';
import { type Database, openDatabase } from '../../../db/index.ts';
import { registerQueueDepth } from '../../../workers/metrics/worker-metrics.ts';
import { createInProcessQueue } from '../../../workers/queue/in-process-queue.ts';
import { promtool } from '../../support/promtool.ts';

const DIR = resolve(import.meta.dirname, '../../../infra/observability');
const ALERTS = join(DIR, 'alerts.yml');

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
}
const dashboard = JSON.parse(readFileSync(join(DIR, 'grafana-dashboard.json'), 'utf8')) as { title: string; panels: Panel[] };
const queries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
/** The dashboard's variables, as a Grafana would substitute them. */
const substituted = (expr: string) => expr.replaceAll('$agent_job', 'agent');

const HISTOGRAM_SUFFIX = /_(bucket|count|sum)$/;
const palisadeNames = (text: string) => [...new Set(text.match(/palisade_[a-z_]+/g) ?? [])];

describe('infra/observability', () => {
  let database: Database;
  let waiters: BundleWaiters;
  const ours = new Set<string>();
  beforeAll(async () => {
    database = await openDatabase({});
    waiters = await listenForBundles(database, () => {});
    const controlPlane = createControlPlaneMetrics(database);
    controlPlane.watchWaiters(waiters);
    controlPlane.watchOutbox();
    registerQueueDepth(
      controlPlane.registry,
      createInProcessQueue(async () => undefined, pino({ level: 'silent' })),
      'in-process',
    );
    for (const registry of [controlPlane.registry, createAgentMetrics().registry]) for (const metric of registry.getMetricsAsArray()) ours.add(metric.name);
    for (const name of RULE_FAMILY_NAMES) ours.add(name);
  });
  afterAll(async () => {
    await waiters?.close();
    await database?.close();
  });

  it('alert rules pass promtool check rules', async () => {
    const checked = await promtool(['check', 'rules', ALERTS]);
    expect(checked.output).toContain('SUCCESS: 5 rules found');
    expect(checked.code).toBe(0);
  });

  it('alert rules pass their promtool unit tests', async () => {
    const tested = await promtool(['test', 'rules', join(DIR, 'alerts.test.yml')]);
    expect(tested.output).toContain('SUCCESS');
    expect(tested.code).toBe(0);
  });

  it('the dashboard parses, covers what operators look at, and every query is valid PromQL', async () => {
    expect(dashboard.title).toBe('palisade');
    const titles = dashboard.panels.map((p) => p.title);
    for (const wanted of ['Cluster health', 'Packets by verdict', 'Top denying policies', 'Bandwidth drops by pod', 'Apply duration p95 by phase']) {
      expect(titles).toContain(wanted);
    }
    expect(queries.length).toBeGreaterThan(15);
    // promtool parses every expression of a rule file: each query becomes a recording rule.
    const dir = mkdtempSync(join(tmpdir(), 'palisade-dashboard-'));
    try {
      const rules = { groups: [{ name: 'dashboard', rules: queries.map((q, i) => ({ record: `dashboard:query_${i}`, expr: substituted(q.expr) })) }] };
      writeFileSync(join(dir, 'queries.yml'), JSON.stringify(rules));
      const checked = await promtool(['check', 'rules', join(dir, 'queries.yml')]);
      expect(checked.output).toContain(`SUCCESS: ${queries.length} rules found`);
      expect(checked.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every palisade metric the dashboard and the alerts use exists in our registries', () => {
    const used = palisadeNames([...queries.map((q) => q.expr), readFileSync(ALERTS, 'utf8')].join('\n'));
    expect(used.length).toBeGreaterThan(15);
    const missing = used.filter((name) => !ours.has(name) && !ours.has(name.replace(HISTOGRAM_SUFFIX, '')));
    expect(missing).toEqual([]);
  });
});
