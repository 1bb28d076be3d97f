// Enforcement does not depend on the agent process or the control plane being up: across an agent
// restart a denied connection stays denied (a probe loop sees no allowed attempt) and an allowed,
// established connection keeps flowing; with the control plane gone, the last bundle keeps enforcing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCase } from '../../../lab/case/schema.ts';
import { unwrap } from '../../../lab/errors.ts';
import { type LabControlPlane, startLabControlPlane } from '../../../lab/run/control-plane.ts';
import { passed, runCase, type StepControl } from '../../../lab/run/run-case.ts';
import { openLongLivedConnection } from './long-lived-connection.ts';

const pod = (name: string) => ({ namespace: 'x', name, labels: { pod: name }, ports: [{ port: 80, protocol: 'TCP' as const, name: 'http' }] });

/** x/a admits TCP 80 from x/b only; x/c is denied. Step 2 probes again, with the control plane gone. */
const restartCase = unwrap(
  parseCase({
    name: 'enforcement across an agent restart and a control-plane outage',
    source: 'palisade: DESIGN.md data flow 4 and 6 (last good bundle, pinned programs)',
    namespaces: { x: { labels: { ns: 'x' } } },
    pods: [pod('a'), pod('b'), pod('c')],
    steps: [
      {
        apply: [
          {
            apiVersion: 'networking.k8s.io/v1',
            kind: 'NetworkPolicy',
            metadata: { name: 'a-from-b', namespace: 'x' },
            spec: { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }], ports: [{ port: 80 }] }] },
          },
        ],
        probes: [{ port: 80, protocol: 'TCP', default: true, except: [{ from: 'x/c', to: 'x/a' }] }],
      },
      { probes: [{ port: 80, protocol: 'TCP', default: true, except: [{ from: 'x/c', to: 'x/a' }] }] },
    ],
  }),
);

describe('agent restart and control-plane outage', () => {
  let controlPlane: LabControlPlane;
  beforeAll(async () => {
    controlPlane = await startLabControlPlane();
  });
  afterAll(() => controlPlane?.stop());

  it('keeps denying, keeps established connections, and keeps enforcing without the control plane', { timeout: 240_000 }, async () => {
    const observed: { deniedAttempts: number; deniedConnected: number; tally?: { sent: number; echoed: number; error: string | null } } = {
      deniedAttempts: 0,
      deniedConnected: 0,
    };
    const afterStep = async (step: number, control: StepControl) => {
      if (step !== 1) return;
      const a = control.topology.pods.get('x/a')!;
      const b = control.topology.pods.get('x/b')!;
      const connection = openLongLivedConnection(b.netns, a.ip, 80);
      let looping = true;
      const deniedLoop = (async () => {
        while (looping) {
          observed.deniedAttempts++;
          if (await control.prober.probe({ from: 'x/c', to: 'x/a', port: 80, protocol: 'TCP', timeoutMs: 250 })) observed.deniedConnected++;
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 500));
      await control.restartAgent();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      looping = false;
      await deniedLoop;
      observed.tally = await connection.finish();
      await control.disconnectControlPlane();
    };

    const result = await runCase(controlPlane, restartCase, { dataplane: 'ebpf', afterStep });
    console.log(
      `across the restart: ${observed.deniedConnected}/${observed.deniedAttempts} denied probes connected; long-lived connection ${JSON.stringify(observed.tally)}`,
    );
    expect(result.error).toBeUndefined();
    expect(passed(result)).toBe(true);
    expect(observed.deniedAttempts).toBeGreaterThanOrEqual(5);
    expect(observed.deniedConnected).toBe(0);
    expect(observed.tally?.error).toBeNull();
    expect(observed.tally!.sent).toBeGreaterThan(50);
    expect(observed.tally!.echoed).toBe(observed.tally!.sent);
  });
});
