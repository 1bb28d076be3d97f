// The console's Preview impact and the Flows page's filters in Chromium, against a real control plane on
// the embedded default (PGlite) and an agent's reports over HTTP (dryRunAgent: inventory, status, flows).
// Preview lists the observed flows a policy change would flip, both ways, with the rule that would
// decide; before any inventory it shows the diff alone and says why. Each flow filter narrows the live
// tail on the server, and a changed filter reconnects it: new flows that match arrive, others do not;
// a chart shows the tail's flows per second. Usage lists the bandwidth counters agents report per pod
// and charts each pod's throughput between reports.
// Any unexpected page error, console error, failed request or error response fails the test.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';
import { dryRunAgent } from '../cli/dry-run-agent.ts';
import { type ConsoleBrowser, openConsoleBrowser, screenshotFolder } from './browser.ts';
import { consoleBuilt } from './console-build.ts';
import { setEditorText } from './policy-editor.ts';
import { ALLOW_FRONTEND, DENY_BY_DEFAULT, SHOP_NAMESPACE, shopEndpoint, shopEndpoints, shopFlow } from './shop.ts';

const OWNER = { tenant: 'globex', email: 'ops@globex.example', password: 'correct horse battery staple' };

const INVENTORY = {
  namespaces: [SHOP_NAMESPACE, { name: 'billing', labels: { 'kubernetes.io/metadata.name': 'billing' } }],
  endpoints: [...shopEndpoints('veth-pf'), shopEndpoint('billing', 'ledger', 'ledger', '198.18.0.20', 'veth-pf3')],
};

const ALLOW_WEB_INSTEAD = ALLOW_FRONTEND.replace('app: frontend', 'app: web');

const ALLOW_FRONTEND_RULE = { tier: 'default', policyId: 'NetworkPolicy/shop/allow-frontend', ruleIndex: 0, action: 'Allow' } as const;
/** The live tail's rows as the user reads them: remote and endpoint of each, newest first. */
const tailRows = (page: Page) => page.locator('table.flows tbody tr').allTextContents();

describe('Preview impact and flow filters in Chromium', () => {
  let control: TestControlPlane;
  let owner: ConsoleBrowser;
  let agent: ReturnType<typeof dryRunAgent>;
  const folder = screenshotFolder();

  beforeAll(async () => {
    await consoleBuilt();
    control = await startTestControlPlane('pglite');
    owner = await openConsoleBrowser({ baseUrl: control.url, folder, prefix: 'preview-filters' });
  }, 600_000);

  afterAll(async () => {
    await owner?.close();
    await control?.stop();
    console.log(`console screenshots: ${folder}`);
  });

  it('previews which observed flows a change flips, and narrows the live tail by every filter', { timeout: 600_000 }, async () => {
    const { page } = owner;
    owner.expect({ method: 'GET', path: '/v1/session', status: 401 });
    await page.goto('/sign-up');
    await page.getByLabel('Organisation name').fill(OWNER.tenant);
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/\/clusters$/);
    await page.getByLabel('Name', { exact: true }).fill('prod');
    await page.getByLabel('Provider').selectOption('kind');
    await page.getByRole('button', { name: 'Register cluster' }).click();
    await page.waitForURL(/\/clusters\/[0-9a-f-]{36}$/);
    await page.getByRole('button', { name: /Show the Helm command/ }).click();
    const command = await page.getByRole('textbox', { name: 'Helm command' }).inputValue();
    agent = dryRunAgent(control.url, command.match(/--set agentToken=(\S+)/)![1]!, 'node-a');

    // Before any agent has reported its pods, Preview shows the diff and says why no impact.
    owner.expect({ method: 'POST', path: '/v1/apply', status: 409 });
    await page.getByRole('navigation', { name: 'Cluster' }).getByRole('link', { name: 'Policies' }).click();
    await page.getByRole('link', { name: 'New policy' }).click();
    await page.waitForURL(/\/policies\/new$/);
    await setEditorText(page, ALLOW_FRONTEND);
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Changes to allow-frontend' }).textContent()).toContain('+ kind: NetworkPolicy');
    expect(await page.getByText(/flows would change verdict shows once an agent of this cluster has reported its pods/).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/\/policies$/);

    // The agent reports its pods and the flows it saw: web denied, frontend allowed, into shop/backend.
    await agent.reportInventory(INVENTORY);
    await agent.shipFlows([
      shopFlow({ remote: '198.18.0.11', kind: 'denied', rule: DENY_BY_DEFAULT, count: 3 }),
      shopFlow({ remote: '198.18.0.10', kind: 'allowed', rule: ALLOW_FRONTEND_RULE, count: 5 }),
    ]);

    // Letting web in instead of frontend flips both flows, each the other way.
    await page.getByRole('link', { name: 'shop/allow-frontend' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Preview' }).isEnabled()).toBe(true);
    await setEditorText(page, ALLOW_WEB_INSTEAD);
    await page.getByLabel('Impact on flows of the last').selectOption('6h');
    await page.getByRole('button', { name: 'Preview' }).click();
    const impact = page.getByRole('region', { name: /Impact on flows observed since/ });
    await expect.poll(() => impact.textContent()).toContain('3 would be allowed, 5 would be denied, in 2 flow groups');
    const flips = impact.getByRole('table', { name: 'Flows whose verdict would change' });
    expect(await flips.getByRole('columnheader').allTextContents()).toEqual([
      'Source → destination',
      'Port',
      'Verdict (before → after)',
      'Count',
      'Deciding policy',
    ]);
    const rows = (await flips.locator('tbody tr').allTextContents()).map((row) => row.replace(/\s+/g, ' '));
    expect(rows).toEqual([
      expect.stringMatching(
        /^shop\/frontend → shop\/backend ?TCP\/8080 ?allowed → denied ?5 \(1 flow\) ?default \/ NetworkPolicy\/shop\/allow-frontend \/ tier default \(Deny\)$/,
      ),
      expect.stringMatching(
        /^shop\/web → shop\/backend ?TCP\/8080 ?denied → allowed ?3 \(1 flow\) ?default \/ NetworkPolicy\/shop\/allow-frontend \/ rule 0 \(Allow\)$/,
      ),
    ]);
    // The diff shows only what changed, though the stored manifest's keys come back in another order.
    const diff = page.getByRole('region', { name: 'Changes to allow-frontend' });
    expect((await diff.locator('.diff-removed, .diff-added').allTextContents()).map((line) => line.replace(/\s+/g, ' '))).toEqual([
      '- app: frontend',
      '+ app: web',
    ]);
    await owner.screenshot('preview-impact');

    // Flows: every filter narrows the tail on the server.
    await agent.shipFlows([
      shopFlow({ endpoint: 'billing/ledger', remote: '198.18.0.12', direction: 'egress', port: 5432, kind: 'allowed', rule: null, count: 1 }),
      shopFlow({ endpoint: 'shop/web', remote: '198.18.0.53', direction: 'egress', protocol: 17, port: 53, kind: 'allowed', rule: null, count: 2 }),
    ]);
    await page.getByRole('navigation', { name: 'Cluster' }).getByRole('link', { name: 'Flows' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: /live/ }).isVisible()).toBe(true);
    await expect.poll(async () => (await tailRows(page)).length).toBe(4);
    // The chart of the tail's flows per second, drawn once uPlot's chunk has loaded.
    const rateChart = page.getByRole('figure', { name: /Flows per second by verdict/ });
    await expect.poll(() => rateChart.locator('canvas').isVisible()).toBe(true);
    expect(await rateChart.locator('.u-legend').textContent()).toMatch(/allowed.*denied.*logged/);

    const filters = page.getByRole('form', { name: 'Flow filters' });
    const expectRows = async (remotes: string[]) =>
      expect.poll(async () => (await tailRows(page)).map((row) => row.match(/198\.18\.0\.\d+/)?.[0]).sort()).toEqual([...remotes].sort());

    await filters.getByLabel('Namespace').fill('billing');
    await filters.getByLabel('Namespace').press('Enter');
    await expectRows(['198.18.0.12']);
    await filters.getByLabel('Namespace').fill('shop');
    await filters.getByLabel('Namespace').press('Enter');
    await filters.getByLabel('Pod').fill('backend');
    await filters.getByLabel('Pod').press('Enter');
    await expectRows(['198.18.0.10', '198.18.0.11']);
    await filters.getByLabel('Verdict', { exact: true }).selectOption('denied');
    await expectRows(['198.18.0.11']);
    await owner.screenshot('flows-filtered');
    await filters.getByRole('button', { name: 'Clear filters' }).click();
    await expectRows(['198.18.0.10', '198.18.0.11', '198.18.0.12', '198.18.0.53']);

    await filters.getByLabel('Protocol').selectOption('UDP');
    await expectRows(['198.18.0.53']);
    await filters.getByLabel('Protocol').selectOption('');
    await filters.getByLabel('Port').fill('5432');
    await filters.getByLabel('Port').press('Enter');
    await expectRows(['198.18.0.12']);
    await filters.getByLabel('Port').fill('');
    await filters.getByLabel('Port').press('Enter');
    await filters.getByLabel('Deciding policy').fill('NetworkPolicy/shop/allow-frontend');
    await filters.getByLabel('Deciding policy').press('Enter');
    await expectRows(['198.18.0.10', '198.18.0.11']);

    // A value the server would refuse is named at its field, and the tail keeps its last good filters.
    await filters.getByLabel('Port').fill('80a');
    await filters.getByLabel('Port').press('Enter');
    await expect.poll(() => filters.getByRole('alert').textContent()).toBe('must be a whole number from 0 to 65535');
    expect(await filters.getByLabel('Port').getAttribute('aria-invalid')).toBe('true');
    await expectRows(['198.18.0.10', '198.18.0.11']);
    await filters.getByLabel('Port').fill('8080');
    await filters.getByLabel('Port').press('Enter');

    // The filtered tail reconnected: a new flow that matches arrives live, one that does not stays out.
    await agent.shipFlows([
      shopFlow({ remote: '198.18.0.13', kind: 'denied', rule: DENY_BY_DEFAULT, count: 1 }),
      shopFlow({ endpoint: 'shop/web', remote: '198.18.0.14', kind: 'denied', rule: { ...DENY_BY_DEFAULT, policyId: 'NetworkPolicy/shop/other' } }),
    ]);
    await expectRows(['198.18.0.10', '198.18.0.11', '198.18.0.13']);

    // Flows no staged policy judged have no pending verdict: that filter leaves none.
    await filters.getByLabel('Staged verdict').selectOption('deny');
    await expect.poll(() => page.getByText('No flows match yet.').isVisible()).toBe(true);
    await filters.getByLabel('Since').selectOption('5');
    await filters.getByLabel('Staged verdict').selectOption('');
    await expectRows(['198.18.0.10', '198.18.0.11', '198.18.0.13']);
    await owner.screenshot('flows-filters');
    // At 768 px the chart follows the narrower column.
    await page.setViewportSize({ width: 768, height: 900 });
    await expect.poll(async () => (await rateChart.locator('canvas').boundingBox())?.width ?? 0).toBeLessThan(768);
    await owner.screenshot('flows-filters-768');
    await page.setViewportSize({ width: 1280, height: 900 });

    expect(owner.problems()).toEqual([]);
  });

  it('shows the bandwidth counters agents report per pod, and their throughput over time', { timeout: 120_000 }, async () => {
    const { page } = owner;
    await page.getByRole('link', { name: 'Usage' }).click();
    const section = page.getByRole('region', { name: 'Bandwidth per pod' });
    await expect.poll(() => section.textContent()).toContain('No agent reports bandwidth counters');

    const report = (passedBytes: number) => {
      const status = { appliedRevision: null, programs: { 'shop/web': { rules: 1, bandwidth: { ingress: [], egress: [bandwidthBucket(passedBytes)] } } } };
      return agent.reportStatus(status);
    };
    await report(1_000_000);
    const row = section.locator('table.bandwidth').getByRole('row', { name: /shop\/web/ });
    await expect
      .poll(() => row.textContent(), { timeout: 30_000 })
      .toMatch(/prod.*node-a.*shop\/web.*egress.*10 Mbit\/s \(BandwidthPolicy\/shop\/web-cap\).*1000 packets · 976\.6 KiB.*4 packets · 5\.9 KiB/);
    expect(await section.getByRole('figure').count()).toBe(0);
    await report(3_500_000);
    await expect.poll(() => row.textContent(), { timeout: 30_000 }).toContain('3500 packets · 3.3 MiB');
    const chart = section.getByRole('figure', { name: /Throughput per pod's own bucket/ });
    await expect.poll(() => chart.locator('canvas').isVisible()).toBe(true);
    expect(await chart.locator('.u-legend').textContent()).toContain('shop/web egress');
    await owner.screenshot('usage-bandwidth');

    expect(owner.problems()).toEqual([]);
  });
});

/** A pod's own egress bucket as the agent's dataplane reports it (agent/datapath/bandwidth/enforcement.ts). */
function bandwidthBucket(passedBytes: number) {
  return {
    id: 'pod/shop/web/egress',
    source: 'BandwidthPolicy/shop/web-cap',
    rateBitsPerSecond: 10_000_000,
    burstBytes: 125_000,
    enforcedBurstBytes: 125_000,
    passedPackets: passedBytes / 1000,
    passedBytes,
    droppedPackets: 4,
    droppedBytes: 6000,
  };
}
