// The lab's network half on the real kernel: topology, probe agents, teardown. Needs root.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterAll, expect, it } from 'vitest';
import { xyzTopology } from '../../../lab/case/expand.ts';
import { unwrap } from '../../../lab/errors.ts';
import { type Lab, startLab } from '../../../lab/lab.ts';
import { ip } from '../../../lab/net/exec.ts';
import { MAX_IFNAME, runIdOfNetns } from '../../../lab/net/names.ts';
import { ownerAlive, readRun, runFile } from '../../../lab/net/registry.ts';
import { listNetns, sweepStale } from '../../../lab/net/sweep.ts';
import { pidsInNetns, processRunning } from '../../../lab/net/teardown.ts';
import { createTopology } from '../../../lab/net/topology.ts';
import { type ProbeSpec, startProber } from '../../../lab/probe/prober.ts';
import { describeIf, NEEDS_ROOT } from '../../support/needs.ts';

const T = { timeout: 60_000 };
const isRoot = process.getuid?.() === 0;
// Other lab runs (other test files, another copy of this test) may come and go meanwhile, so a
// netns that appeared between "before" and "after" is only a leak if no live run owns it.
const PREFIX = 'plq';
const labNetns = async () => (await listNetns()).filter((n) => runIdOfNetns(n, PREFIX) !== undefined).sort();
async function leakedSince(before: string[]): Promise<string[]> {
  const leaked: string[] = [];
  for (const n of await labNetns()) {
    if (before.includes(n)) continue;
    const rec = await readRun(runIdOfNetns(n, PREFIX)!);
    if (!rec || !ownerAlive(rec) || rec.pid === process.pid) leaked.push(n);
  }
  return leaked;
}
const rootLinks = async () =>
  unwrap(await ip(['-o', 'link', 'show']))
    .stdout.split('\n')
    .map((l) => l.split(': ')[1]?.split('@')[0])
    .filter(Boolean);
/** Running pids among `pids`, after giving them up to 2 s to go (SIGKILL and EOF are asynchronous). */
async function stillRunning(pids: number[]): Promise<number[]> {
  for (let i = 0; i < 40 && pids.some(processRunning); i++) await new Promise((r) => setTimeout(r, 50));
  return pids.filter(processRunning);
}
const ms = (since: number) => `${(performance.now() - since).toFixed(0)} ms`;

function allPairs(lab: Lab, port: number, protocol: 'TCP' | 'UDP', family: 4 | 6 = 4): ProbeSpec[] {
  const keys = [...lab.topology.pods.keys()];
  return keys.flatMap((from) => keys.filter((to) => to !== from).map((to) => ({ from, to, port, protocol, family })));
}

const labs: Lab[] = [];
afterAll(async () => {
  await Promise.all(labs.map((l) => l.destroy()));
});

describeIf(isRoot, NEEDS_ROOT)('lab network', () => {
  it('builds xyz and every pair connects on TCP 80 and UDP 81 without policy', T, async () => {
    const before = await labNetns();
    const t0 = performance.now();
    const topology = unwrap(await createTopology(xyzTopology(), { prefix: PREFIX }));
    console.log(`[lab] xyz topology (10 netns, 9 veth pairs, v4+v6): ${ms(t0)}`);
    const t0b = performance.now();
    const lab: Lab = { topology, prober: unwrap(await startProber(topology)), destroy: () => topology.destroy() };
    labs.push(lab);
    console.log(`[lab] 9 pod agents ready: ${ms(t0b)}`);

    expect(topology.runId).toMatch(/^plq[0-9a-f]{6}$/);
    expect(topology.pods.size).toBe(9);
    const netns = await listNetns();
    expect(netns).toContain(topology.nodeNetns);
    for (const pod of topology.pods.values()) {
      expect(netns).toContain(pod.netns);
      expect(pod.hostIfName.length).toBeLessThanOrEqual(MAX_IFNAME);
      expect(pod.ip).toMatch(/^198\.1[89]\.\d+\.\d+$/);
      expect(pod.ipv6).toMatch(/^fd/);
      expect(pod.hostIfIndex).toBeGreaterThan(1);
    }
    // the host-side veths are in the node netns with the recorded ifindexes, not in the root namespace
    const nodeLinks = unwrap(await ip(['-o', 'link', 'show'], topology.nodeNetns)).stdout;
    for (const pod of topology.pods.values()) expect(nodeLinks).toContain(`${pod.hostIfIndex}: ${pod.hostIfName}@`);
    const hostIfs = [...topology.pods.values()].map((p) => p.hostIfName);
    expect((await rootLinks()).filter((l) => hostIfs.includes(l!))).toEqual([]);

    for (const [port, protocol, family] of [
      [80, 'TCP', 4],
      [81, 'UDP', 4],
      [80, 'TCP', 6],
      [81, 'UDP', 6],
    ] as const) {
      const t1 = performance.now();
      const out = await lab.prober.probeAll(allPairs(lab, port, protocol, family));
      console.log(`[lab] 72-pair ${protocol}/${port} IPv${family} round: ${ms(t1)}`);
      expect(out.filter((o) => !o.connected).map((o) => `${o.probe.from}->${o.probe.to} ${o.reason} ${o.error?.message ?? ''}`)).toEqual([]);
    }
    expect(await lab.prober.probe({ from: 'x/a', to: 'z/c', port: 80, protocol: 'TCP' })).toBe(true);

    // what a denied probe looks like, cheaply: nothing listens on 82, so RST / ICMP refused
    const refused = await lab.prober.probeAll(allPairs(lab, 82, 'TCP'));
    expect(new Set(refused.map((o) => o.reason))).toEqual(new Set(['refused']));
    // and a dropped one: a short timeout to an address nobody routes (blackholed in the node netns)
    unwrap(await ip(['route', 'replace', 'blackhole', `${topology.pods.get('y/b')!.ip}/32`], topology.nodeNetns));
    // a realistic round: the 16 pairs touching y/b are dropped, so the round lasts one timeout (1 s)
    for (const protocol of ['TCP', 'UDP'] as const) {
      const t2 = performance.now();
      const round = await lab.prober.probeAll(allPairs(lab, 80, protocol));
      console.log(`[lab] 72-pair ${protocol}/80 round with 16 dropped (1 s timeout): ${ms(t2)}`);
      const failed = round.filter((o) => !o.connected);
      expect(failed).toHaveLength(16);
      expect(failed.every((o) => o.reason === 'timeout' && (o.probe.from === 'y/b' || o.probe.to === 'y/b'))).toBe(true);
    }

    // destroy: no netns, link (the root namespace never had any), registry file or process left
    const pids = await pidsInNetns([topology.nodeNetns, ...[...topology.pods.values()].map((p) => p.netns)]);
    expect(pids.length).toBe(9);
    const t3 = performance.now();
    await lab.destroy();
    console.log(`[lab] destroy: ${ms(t3)}`);
    expect(await leakedSince(before)).toEqual([]);
    const ours = [topology.nodeNetns, ...[...topology.pods.values()].map((p) => p.netns)];
    expect((await listNetns()).filter((n) => ours.includes(n))).toEqual([]);
    expect((await rootLinks()).filter((l) => hostIfs.includes(l!))).toEqual([]);
    expect(pids.filter(processRunning)).toEqual([]); // destroy() itself waits for them
    expect(existsSync(runFile(topology.runId))).toBe(false);
    await lab.destroy(); // idempotent
    expect(await lab.prober.probeAll([{ from: 'x/a', to: 'x/b', port: 80, protocol: 'TCP' }])).toMatchObject([{ connected: false, reason: 'agent_error' }]);
  });

  it('two topologies coexist with distinct run ids and subnets', T, async () => {
    const t0 = performance.now();
    const [a, b] = (await Promise.all([startLab(xyzTopology().pods), startLab(xyzTopology().pods)])).map(unwrap) as [Lab, Lab];
    labs.push(a, b);
    console.log(`[lab] two labs concurrently: ${ms(t0)}`);
    expect(a.topology.runId).not.toBe(b.topology.runId);
    expect(a.topology.subnet4).not.toBe(b.topology.subnet4);
    expect(a.topology.pods.get('x/a')!.hostIfName).toBe(b.topology.pods.get('x/a')!.hostIfName); // per-node names
    const [oa, ob] = await Promise.all([a.prober.probeAll(allPairs(a, 80, 'TCP')), b.prober.probeAll(allPairs(b, 81, 'UDP'))]);
    expect(oa.every((o) => o.connected)).toBe(true);
    expect(ob.every((o) => o.connected)).toBe(true);
    await a.destroy();
    // b is untouched by a's teardown
    expect((await b.prober.probeAll(allPairs(b, 80, 'TCP'))).every((o) => o.connected)).toBe(true);
    await b.destroy();
    expect((await labNetns()).filter((n) => n.startsWith(a.topology.runId) || n.startsWith(b.topology.runId))).toEqual([]);
  });

  // A separate process owns these labs, so its death can be real.
  async function holdLab(prefix: string) {
    const child = spawn(process.execPath, ['--import', 'tsx', new URL('./fixtures/hold-lab.ts', import.meta.url).pathname, prefix], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`hold-lab exited with ${code}`)));
    });
    const info = JSON.parse(line) as { runId: string; netns: string[]; pids: number[] };
    const exited = new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
    return { child, info, exited };
  }

  it('SIGTERM of the owner removes its run through the exit hooks', T, async () => {
    const { child, info, exited } = await holdLab('plt');
    expect(info.pids).toHaveLength(2);
    expect(await listNetns()).toEqual(expect.arrayContaining(info.netns));
    child.kill('SIGTERM');
    await exited;
    expect((await listNetns()).filter((n) => info.netns.includes(n))).toEqual([]);
    expect(await stillRunning(info.pids)).toEqual([]);
    expect(existsSync(runFile(info.runId))).toBe(false);
  });

  it('sweepStale removes the leftovers of a SIGKILLed owner and spares live runs', T, async () => {
    const live = unwrap(await startLab([{ namespace: 'x', name: 'a', ports: [] }], { prefix: 'pls', sweep: false }));
    labs.push(live);
    const { child, info, exited } = await holdLab('pls');
    child.kill('SIGKILL');
    await exited;
    expect(await listNetns()).toEqual(expect.arrayContaining(info.netns)); // nothing ran on SIGKILL
    expect(existsSync(runFile(info.runId))).toBe(true);

    const swept = await sweepStale('pls');
    expect(swept).toContain(info.runId);
    const after = await listNetns();
    expect(after.filter((n) => info.netns.includes(n))).toEqual([]);
    expect(after).toContain(live.topology.nodeNetns);
    expect(existsSync(runFile(info.runId))).toBe(false);
    expect(await stillRunning(info.pids)).toEqual([]); // agents exit on stdin EOF; sweep kills stragglers
    await live.destroy();
  });
});
