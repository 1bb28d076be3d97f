// The console's journey in Chromium against a real control plane on the embedded default (PGlite) and
// a real agent process (dry-run dataplane): sign up, sign in, register a cluster, write a policy with a
// validation error shown at its line, fix it, preview the diff, apply, find it on the board in its tier,
// see the agent report the applied revision, watch a flow arrive in the live tail without a reload
// (pause and resume), explain a denied pair, survive an expired session, invite a viewer who can change
// nothing, sign out. Every page is screenshotted (at 1280 px, and some at 768 px) to a folder printed at
// the end; any unexpected page error, console error, failed request or error response fails the test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';
import { dryRunAgent } from '../cli/dry-run-agent.ts';
import { type AgentProcess, startAgentProcess } from './agent-process.ts';
import { type ConsoleBrowser, openConsoleBrowser, screenshotFolder } from './browser.ts';
import { consoleBuilt } from './console-build.ts';
import { setEditorText } from './policy-editor.ts';
import { ALLOW_FRONTEND, SHOP_NAMESPACE, shopEndpoints, shopFlow } from './shop.ts';

const OWNER = { tenant: 'acme', email: 'ops@acme.example', password: 'correct horse battery staple' };
const VIEWER = { email: 'viewer@acme.example', password: 'viewer password 12345' };

const INVENTORY = { namespaces: [SHOP_NAMESPACE], endpoints: shopEndpoints('veth-cu') };

const POLICY_WITH_ERROR = ALLOW_FRONTEND.replace('port: 8080', 'port: 99999');
const FIXED_POLICY = ALLOW_FRONTEND;
const deniedFlow = (remote: string) => shopFlow({ remote });

describe('the web console in Chromium', () => {
  let control: TestControlPlane;
  let owner: ConsoleBrowser;
  let viewer: ConsoleBrowser | undefined;
  let agent: AgentProcess | undefined;
  const work = mkdtempSync(join(tmpdir(), 'palisade-console-e2e-'));
  const folder = screenshotFolder();

  beforeAll(async () => {
    await consoleBuilt();
    control = await startTestControlPlane('pglite');
    owner = await openConsoleBrowser({ baseUrl: control.url, folder, prefix: 'owner' });
  }, 600_000);

  afterAll(async () => {
    await viewer?.close();
    await owner?.close();
    await agent?.stop();
    await control?.stop();
    rmSync(work, { recursive: true, force: true });
    console.log(`console screenshots: ${folder}`);
  });

  it('carries a member from sign-up to a policy, a live flow, an explanation, a read-only viewer and sign-out', { timeout: 600_000 }, async () => {
    const { page } = owner;
    // Before signing in, the session probe answers 401: the console shows the sign-in page.
    owner.expect({ method: 'GET', path: '/v1/session', status: 401 });

    await page.goto('/');
    await page.waitForURL(/\/sign-in/);
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in to palisade' }).isVisible()).toBe(true);
    await owner.screenshot('sign-in');

    // Sign up: a tenant and its owner, signed in at once.
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Organisation name').fill(OWNER.tenant);
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill(OWNER.password);
    await owner.screenshot('sign-up');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/\/clusters$/);
    await expect.poll(() => page.getByText('No clusters yet').isVisible()).toBe(true);
    await expect.poll(() => page.getByText(`${OWNER.tenant} · ${OWNER.email} (owner)`).isVisible()).toBe(true);

    // Sign out, and in again with the password.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/clusters$/);
    await owner.screenshot('clusters-empty');

    // Register a cluster; its page offers the Helm command with a fresh agent token, shown once.
    await page.getByLabel('Name', { exact: true }).fill('prod');
    await page.getByLabel('Provider').selectOption('kind');
    await page.getByRole('button', { name: 'Register cluster' }).click();
    await page.waitForURL(/\/clusters\/[0-9a-f-]{36}$/);
    const clusterId = page.url().split('/').pop()!;
    await expect.poll(() => page.getByRole('heading', { name: /prod/ }).isVisible()).toBe(true);
    await page.getByRole('button', { name: /Show the Helm command/ }).click();
    const command = await page.getByRole('textbox', { name: 'Helm command' }).inputValue();
    expect(command).toContain(`--set clusterId=${clusterId}`);
    expect(command).toContain(`--set controlPlaneUrl=${control.url}`);
    const token = command.match(/--set agentToken=(\S+)/)![1]!;
    const tenantId = command.match(/--set tenantId=(\S+)/)![1]!;
    await owner.screenshot('cluster-connect');

    // The agent, started with what the Helm command names.
    agent = await startAgentProcess({ url: control.url, token, tenantId, clusterId, nodeName: 'node-a', inventory: INVENTORY, dir: join(work, 'agent') });

    // Write a policy with a port out of range: the API's error lands on its line.
    owner.expect({ method: 'POST', path: '/v1/apply', status: 422 });
    // Until the agent has reported its pods, Preview's impact answers 409 and the diff shows alone.
    owner.expect({ method: 'POST', path: '/v1/apply', status: 409 });
    await page.getByRole('navigation', { name: 'Cluster' }).getByRole('link', { name: 'Policies' }).click();
    await page.waitForURL(/\/policies$/);
    await page.getByRole('link', { name: 'New policy' }).click();
    await page.waitForURL(/\/policies\/new$/);
    await setEditorText(page, POLICY_WITH_ERROR);
    await page.getByRole('button', { name: 'Preview' }).click();
    const problems = page.getByRole('region', { name: 'Problems' }).or(page.locator('#problems-title').locator('..'));
    await expect.poll(() => problems.textContent(), { timeout: 30_000 }).toMatch(/Line 16: ?0\.spec\.ingress\.0\.ports\.0\.port/);
    // CodeMirror marks the line in its gutter.
    await expect.poll(() => page.locator('.cm-lint-marker-error').count()).toBeGreaterThan(0);
    await owner.screenshot('editor-validation-error');

    // Fix it, preview the diff (a creation), apply.
    await setEditorText(page, FIXED_POLICY);
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('region', { name: 'Changes to allow-frontend' });
    await expect.poll(() => preview.textContent(), { timeout: 30_000 }).toContain('+ kind: NetworkPolicy');
    expect(await page.getByText('created', { exact: true }).isVisible()).toBe(true);
    await owner.screenshot('editor-preview');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/\/policies$/);

    // On the board, in the default tier, with its selector and rule count.
    const defaultTier = page.locator('section[data-tier="default"]');
    await expect.poll(() => defaultTier.getByRole('row', { name: /shop\/allow-frontend/ }).textContent()).toMatch(/NetworkPolicy.*1000.*app=backend.*1/);
    expect(await page.locator('section[data-tier="adminnetworkpolicy"]').getByRole('row').count()).toBe(0);
    await owner.screenshot('policy-board');

    // The agent applies the new bundle and reports it: the overview shows the node up to date.
    await page.getByRole('navigation', { name: 'Cluster' }).getByRole('link', { name: 'Overview' }).click();
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          return page.getByRole('row', { name: /node-a/ }).textContent();
        },
        { timeout: 60_000, interval: 1_000 },
      )
      .toMatch(/up to date/);
    await owner.screenshot('cluster-agents');

    // The live tail: a flow the agent ships appears without a reload, naming tier, policy and rule.
    const shipper = dryRunAgent(control.url, token, 'node-a');
    await page.getByRole('navigation', { name: 'Cluster' }).getByRole('link', { name: 'Flows' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: /live/ }).isVisible(), { timeout: 30_000 }).toBe(true);
    await shipper.shipFlows([deniedFlow('198.18.0.11')]);
    const rows = page.locator('table.flows tbody tr');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(1);
    expect(await rows.first().textContent()).toContain('default / NetworkPolicy/shop/allow-frontend / tier default (Deny)');
    // Paused, a new flow waits; resumed, it shows.
    await page.getByRole('button', { name: 'Pause' }).click();
    await shipper.shipFlows([deniedFlow('198.18.0.10')]);
    await expect.poll(() => page.getByRole('button', { name: /Resume \(1 new\)/ }).isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await rows.count()).toBe(1);
    await page.getByRole('button', { name: /Resume/ }).click();
    await expect.poll(() => rows.count()).toBe(2);
    await owner.screenshot('flows-live');
    await page.setViewportSize({ width: 768, height: 900 });
    await owner.screenshot('flows-768');
    await page.setViewportSize({ width: 1280, height: 900 });

    // Explain the denied pair from the inventory the agent reported.
    await page.getByRole('navigation', { name: 'Cluster' }).getByRole('link', { name: 'Explain' }).click();
    // Source and destination are chosen from the pods the agent reported.
    await page.getByLabel('Source pod (namespace/pod)').selectOption('shop/web');
    await page.getByLabel('Destination pod (namespace/pod)').selectOption('shop/backend');
    await page.getByLabel('Port').fill('8080');
    await page.getByRole('button', { name: 'Explain' }).click();
    const answer = page.locator('#explain-result');
    await expect.poll(() => answer.textContent(), { timeout: 30_000 }).toMatch(/shop\/web → shop\/backend TCP\/8080: ?deny/);
    expect(await page.getByRole('region', { name: 'Ingress of shop/backend' }).textContent()).toMatch(
      /tier default · policy .*allow-frontend.* · tier default → Deny/,
    );
    await owner.screenshot('explain-deny');

    // Usage and settings.
    await page.getByRole('link', { name: 'Usage' }).click();
    await expect
      .poll(() =>
        page
          .getByText(/^1 of \d+/)
          .first()
          .isVisible(),
      )
      .toBe(true);
    await owner.screenshot('usage');
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Name').fill('ci');
    await page.getByRole('button', { name: 'Create key' }).click();
    expect(await page.getByRole('textbox', { name: 'New API key' }).inputValue()).toMatch(/^pal_/);
    await owner.screenshot('settings-api-keys');

    // An expired session: the next page asks for a sign-in and comes back.
    owner.expect({ method: 'GET', path: /^\/v1\//, status: 401 });
    await owner.context.clearCookies();
    await page.getByRole('link', { name: 'Members' }).click();
    await page.waitForURL(/\/sign-in\?next=%2Fsettings%2Fmembers/);
    await expect.poll(() => page.getByText('Your session expired').isVisible()).toBe(true);
    await owner.screenshot('session-expired');
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/settings\/members$/);

    // Invite a viewer; the link is shown once.
    await page.getByLabel('Email').fill(VIEWER.email);
    await page.getByLabel('Role').selectOption('viewer');
    await page.getByRole('button', { name: 'Invite' }).click();
    const link = await page.getByRole('textbox', { name: 'Invitation link' }).inputValue();
    expect(link).toMatch(/\/accept-invite#token=/);
    await owner.screenshot('settings-members');
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page
      .getByRole('button', { name: /policy/i })
      .first()
      .click();
    await expect.poll(() => page.locator('.diff-added').count()).toBeGreaterThan(0);
    await owner.screenshot('settings-audit');

    // The viewer accepts in a browser of their own and sees no enabled write control.
    viewer = await openConsoleBrowser({ baseUrl: control.url, folder, prefix: 'viewer', width: 768 });
    viewer.expect({ method: 'GET', path: '/v1/session', status: 401 });
    const seen = viewer.page;
    await seen.goto(link);
    await seen.getByLabel('Choose a password').fill(VIEWER.password);
    await seen.getByRole('button', { name: 'Accept invitation' }).click();
    await seen.waitForURL(/\/clusters$/);
    await expect.poll(() => seen.getByText(`${VIEWER.email} (viewer)`).isVisible()).toBe(true);
    // Through the console's own links (a goto would abort the clusters page's read in flight).
    await seen.getByRole('link', { name: 'prod' }).click();
    await seen.getByRole('navigation', { name: 'Cluster' }).getByRole('link', { name: 'Policies' }).click();
    await expect.poll(() => seen.getByRole('row', { name: /shop\/allow-frontend/ }).isVisible()).toBe(true);
    await viewer.screenshot('policy-board-viewer');
    const writeControls = ['New policy', 'Delete', 'Promote', 'Register cluster'];
    for (const name of writeControls) {
      for (const control of await seen.getByRole('button', { name, exact: true }).all()) expect(await control.isDisabled(), name).toBe(true);
    }
    await seen.getByRole('link', { name: 'shop/allow-frontend' }).click();
    await expect.poll(() => seen.getByRole('button', { name: 'Apply' }).isVisible(), { timeout: 30_000 }).toBe(true);
    const policyId = seen.url().split('/').pop()!;
    expect(await seen.getByRole('button', { name: 'Apply' }).isDisabled()).toBe(true);
    expect(await seen.getByRole('button', { name: 'Preview' }).isDisabled()).toBe(true);
    expect(await seen.getByRole('textbox', { name: 'Policy YAML' }).getAttribute('contenteditable')).toBe('false');
    await viewer.screenshot('policy-editor-viewer');
    await seen.getByRole('navigation', { name: 'Cluster' }).getByRole('link', { name: 'Overview' }).click();
    await expect.poll(() => seen.getByRole('button', { name: /Show the Helm command/ }).isVisible()).toBe(true);
    expect(await seen.getByRole('button', { name: /Show the Helm command/ }).isDisabled()).toBe(true);
    // And the server refuses the write anyway.
    viewer.expect({ method: 'DELETE', path: /^\/v1\/policies\//, status: 403 });
    const refused = await seen.evaluate(async (id) => {
      const session = await (await fetch('/v1/session')).json();
      return (await fetch(`/v1/policies/${id}`, { method: 'DELETE', headers: { 'x-csrf-token': session.csrfToken } })).status;
    }, policyId);
    expect(refused).toBe(403);

    // Sign out.
    await seen.getByRole('button', { name: 'Sign out' }).click();
    await seen.waitForURL(/\/sign-in/);
    await viewer.screenshot('signed-out');

    expect(owner.problems()).toEqual([]);
    expect(viewer.problems()).toEqual([]);
  });
});
