// The agent SIGKILLed in the middle of applying a new bundle, on the real kernel with real packets.
// The swap phase goes interface by interface, so a kill there leaves some pods on the new bundle's
// programs and the rest on the old one's. To hit that moment every run, the first agent runs with
// PALISADE_TEST_HOLD_SWAP_IF_EXISTS (agent/datapath/ebpf-dataplane.ts) naming a file the test
// creates just before it writes the new bundle: applying it, the agent blocks after its first
// interface, says so in its log, and the test kills it there. The next agent finds the pinned,
// half-swapped programs and the last good bundle on disk (the old one: the new one was never
// recorded). With the control plane gone, that is all it has; with the control plane there, it also
// fetches the new bundle. Checked: a pair both bundles deny never connects, from before the new
// bundle is written until the new agent has settled; once settled, every pair the bundles disagree
// on follows one bundle (the old one without the control plane, the new one with it), never a mix.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SWAP_HELD_MESSAGE } from '../../../agent/datapath/ebpf-dataplane.ts';
import { parseCase } from '../../../lab/case/schema.ts';
import { unwrap } from '../../../lab/errors.ts';
import { type LabControlPlane, startLabControlPlane } from '../../../lab/run/control-plane.ts';
import { passed, runCase, type StepControl } from '../../../lab/run/run-case.ts';

const pod = (name: string) => ({ namespace: 'x', name, labels: { pod: name }, ports: [{ port: 80, protocol: 'TCP' as const, name: 'http' }] });

/** x/a and x/d admit TCP 80 from `from` only: one policy, so the new bundle is one revision changing both interfaces. */
const guard = (from: string) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'guard', namespace: 'x' },
  spec: {
    podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['a', 'd'] }] },
    ingress: [{ from: [{ podSelector: { matchLabels: { pod: from } } }], ports: [{ port: 80 }] }],
  },
});

type Pair = { from: string; to: string };
/** Denied by both bundles: must never connect, whatever state the kill leaves. */
const ALWAYS_DENIED: Pair[] = [
  { from: 'x/a', to: 'x/d' },
  { from: 'x/d', to: 'x/a' },
];
/** The pairs the two bundles disagree on: b reaches a and d under the old one, c under the new one. */
const CHANGED: Pair[] = ['x/b', 'x/c'].flatMap((from) => ['x/a', 'x/d'].map((to) => ({ from, to })));
const allowedByOld = (pair: Pair) => pair.from === 'x/b';

const probesOf = (allowed: (pair: Pair) => boolean) => ({
  port: 80,
  protocol: 'TCP' as const,
  default: true,
  except: [...ALWAYS_DENIED, ...CHANGED.filter((pair) => !allowed(pair))],
});

/** Where the restarted agent gets its bundle from, and so which bundle it must end up enforcing. */
type Restart = { controlPlane: 'gone'; settlesOn: 'old' } | { controlPlane: 'back'; settlesOn: 'new' };

const killCase = (restart: Restart) =>
  unwrap(
    parseCase({
      name: `agent killed mid-swap, restarted with the control plane ${restart.controlPlane}`,
      source: 'palisade: issue 10 item 9 (faults lose nothing)',
      namespaces: { x: { labels: { ns: 'x' } } },
      pods: [pod('a'), pod('b'), pod('c'), pod('d')],
      // Step 2 probes after the kill and the restart (afterStep of step 1): one whole bundle, everywhere.
      steps: [
        { apply: [guard('b')], probes: [probesOf(allowedByOld)] },
        { probes: [probesOf(restart.settlesOn === 'old' ? allowedByOld : (pair) => !allowedByOld(pair))] },
      ],
    }),
  );

describe('agent killed in the middle of an apply', () => {
  let controlPlane: LabControlPlane;
  beforeAll(async () => {
    controlPlane = await startLabControlPlane();
  });
  afterAll(() => controlPlane?.stop());

  const restarts: Restart[] = [
    { controlPlane: 'gone', settlesOn: 'old' },
    { controlPlane: 'back', settlesOn: 'new' },
  ];
  it.each(restarts)(
    'leaves no denied flow through and, restarted with the control plane $controlPlane, enforces the $settlesOn bundle whole',
    { timeout: 240_000 },
    async (restart) => {
      /** Each phase of the fault, in order; the always-denied probes are counted per phase. */
      type Phase = 'old bundle' | 'applying' | 'held mid-swap' | 'killed' | 'restarting' | 'settled';
      let phase: Phase = 'old bundle';
      const observed = {
        attempts: {} as Partial<Record<Phase, number>>,
        /** Always-denied probes that connected, with the phase they did in. */
        leaks: [] as string[],
        /** What the changed pairs did while the dead agent's half-swap was all there was (for the log). */
        whileDead: [] as string[],
        /** What the changed pairs did once the restarted agent settled. */
        afterRestart: [] as (Pair & { connected: boolean })[],
        heldRevision: 0,
      };
      const probe = (control: StepControl, pair: Pair, timeoutMs = 500) => control.prober.probe({ ...pair, port: 80, protocol: 'TCP', timeoutMs });
      /** Resolves once the always-denied pairs were probed at least twice in the current phase. */
      const covered = async () => {
        const current = phase;
        await waitFor(async () => (observed.attempts[current] ?? 0) >= 2 * ALWAYS_DENIED.length, `probes during "${current}"`);
      };

      const dir = await mkdtemp(join(tmpdir(), 'palisade-kill-mid-apply-'));
      const holdFile = join(dir, 'hold-swap');
      const afterStep = async (step: number, control: StepControl) => {
        if (step !== 1) return;
        let looping = true;
        const deniedLoop = (async () => {
          while (looping) {
            for (const pair of ALWAYS_DENIED) {
              const during = phase;
              if (await probe(control, pair, 250)) observed.leaks.push(`${during}: ${pair.from} -> ${pair.to}`);
              observed.attempts[during] = (observed.attempts[during] ?? 0) + 1;
            }
          }
        })();
        try {
          await covered();
          phase = 'applying';
          await writeFile(holdFile, '');
          observed.heldRevision = await control.applyPolicies([guard('c')]);
          // The agent blocks in its swap after the first interface; it is killed there.
          await waitFor(async () => (await control.agentLog()).some((line) => line.includes(SWAP_HELD_MESSAGE)), 'the agent to hold its swap');
          phase = 'held mid-swap';
          await covered();
          await control.killAgent();
          phase = 'killed';
          await rm(holdFile, { force: true });
          for (const pair of CHANGED) observed.whileDead.push(`${pair.from}->${pair.to} ${(await probe(control, pair)) ? 'open' : 'closed'}`);
          await covered();

          if (restart.controlPlane === 'gone') await control.disconnectControlPlane();
          const linesBefore = (await control.agentLog()).length;
          await control.startAgent();
          phase = 'restarting';
          // Settled: the restarted agent applied the last good bundle (control plane gone) or the new one.
          const settledOn = restart.settlesOn === 'old' ? undefined : `"revision":${observed.heldRevision},`;
          await waitFor(
            async () =>
              (await control.agentLog())
                .slice(linesBefore)
                .some((line) => line.includes('"msg":"bundle applied"') && (settledOn === undefined || line.includes(settledOn))),
            `the restarted agent to apply the ${restart.settlesOn} bundle`,
          );
          phase = 'settled';
          for (const pair of CHANGED) observed.afterRestart.push({ ...pair, connected: await probe(control, pair) });
          await covered();
        } finally {
          looping = false;
          await deniedLoop;
        }
      };

      const result = await runCase(controlPlane, killCase(restart), {
        dataplane: 'ebpf',
        afterStep,
        agentEnv: { PALISADE_TEST_HOLD_SWAP_IF_EXISTS: holdFile },
      }).finally(() => rm(dir, { recursive: true, force: true }));
      console.log(
        `[kill mid-apply] held at revision ${observed.heldRevision}; while the agent was dead: ${observed.whileDead.join(', ')}; ` +
          `always-denied probes per phase ${JSON.stringify(observed.attempts)}, connected: ${observed.leaks.length}`,
      );
      expect(result.error).toBeUndefined();
      // The agent was held (and killed) applying the bundle after the one the first step enforced.
      expect(observed.heldRevision).toBeGreaterThan(result.steps[0]!.revision!);
      expect(passed(result)).toBe(true);
      // covered() saw to probes in every phase but the short ones (applying, restarting), which may get none.
      expect(observed.leaks).toEqual([]);
      // One whole bundle: every changed pair as that bundle says, none as the other one.
      expect(observed.afterRestart).toEqual(CHANGED.map((pair) => ({ ...pair, connected: allowedByOld(pair) === (restart.settlesOn === 'old') })));
    },
  );
});

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
