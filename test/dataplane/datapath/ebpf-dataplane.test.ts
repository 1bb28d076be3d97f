// The eBPF dataplane on real interfaces: a lab node (its own netns) with three pods on veths, real
// TCP and UDP through the programs. Deny-all ingress, then allow one peer (an atomic switch), a
// long-lived connection across a re-apply and across an agent restart (a second process adopts the
// pinned links), then uninstall.
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEbpfDataplaneWith, type EbpfDataplane } from '../../../agent/datapath/ebpf-dataplane.ts';
import type { FlowRecord } from '../../../agent/datapath/flows.ts';
import { pinLayout } from '../../../agent/datapath/pins.ts';
import { unwrap } from '../../../lab/errors.ts';
import { createTopology, type Topology } from '../../../lab/net/topology.ts';
import { type Prober, type ProbeSpec, startProber } from '../../../lab/probe/prober.ts';
import { BUNDLE_API_VERSION, type BundlePayload } from '../../../policy/bundle/payload.ts';
import { contentHashOf } from '../../../policy/bundle/sign.ts';
import { type Inventory, inventorySchema } from '../../../policy/inventory.ts';
import type { BundleLimits, Policy } from '../../../policy/ir.ts';
import { parsePolicyObject } from '../../../policy/kinds/index.ts';
import { buildPolicySet } from '../../../policy/policy-set.ts';
import { describeIf, NEEDS_ROOT } from '../../support/needs.ts';
import { uniqueSuffix } from '../bpf/harness.ts';

const isRoot = process.getuid?.() === 0;
const execFileAsync = promisify(execFile);
const T = { timeout: 60_000 };
const MAP_SIZES = { conntrack: 16_384, conntrack6: 16_384, flowRing: 256 * 1024 };
const PROBE_TIMEOUT_MS = 700;
const SERVER = 'x/server';
const A = 'x/client-a';
const B = 'x/client-b';
const PORTS = [
  { port: 80, protocol: 'TCP' as const },
  { port: 81, protocol: 'UDP' as const },
];

function networkPolicy(name: string, spec: Record<string, unknown>): Policy {
  const parsed = parsePolicyObject({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace: 'x', name }, spec });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.ir;
}

const server = { matchLabels: { app: 'server' } };
const denyAllIngress = networkPolicy('deny-all', { podSelector: server, policyTypes: ['Ingress'] });
const allowA = networkPolicy('allow-a', {
  podSelector: server,
  policyTypes: ['Ingress'],
  ingress: [{ from: [{ podSelector: { matchLabels: { app: 'a' } } }] }],
});
const allowBUdp = networkPolicy('allow-b-udp', {
  podSelector: server,
  policyTypes: ['Ingress'],
  ingress: [{ from: [{ podSelector: { matchLabels: { app: 'b' } } }], ports: [{ protocol: 'UDP', port: 81 }] }],
});

const tenantId = randomUUID();
const clusterId = randomUUID();
function bundle(revision: number, policies: Policy[], limits?: BundleLimits): BundlePayload {
  const policy = { ...buildPolicySet(policies), ...(limits && { limits }) };
  return {
    apiVersion: BUNDLE_API_VERSION,
    kind: 'Bundle',
    tenantId,
    clusterId,
    revision,
    issuedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    contentHash: contentHashOf(policy),
    policy,
  };
}

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

interface Stream {
  echoes(): number;
  /** Longest time between two echoes so far, in ms, as the client measured it (for the log only). */
  maxGapMs(): number;
  /**
   * Segments the kernel retransmitted on this connection, both ends together (ss's tcp_info). A
   * packet of the connection dropped by a program, or lost while no program was attached, shows
   * here: TCP recovers from it by retransmitting, so the echoes alone would not tell.
   */
  retransmissions(): number;
  ended(): string | undefined;
  waitForEchoes(n: number, timeoutMs?: number): Promise<void>;
  stop(): void;
}

/** Total retransmitted segments of the established TCP sockets `ss` selects in `netns`. */
function retransmittedSegments(netns: string, filter: string[]): number {
  const out = execFileSync('ip', ['netns', 'exec', netns, 'ss', '-tinH', 'state', 'established', ...filter], { encoding: 'utf8' });
  // "retrans:<now>/<total>" appears once a socket has retransmitted at all.
  return [...out.matchAll(/\bretrans:\d+\/(\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
}

async function startStream(topology: Topology, from: string, to: string, port: number): Promise<Stream> {
  const host = topology.pods.get(to)!.ip;
  const child: ChildProcess = spawn('ip', ['netns', 'exec', topology.pods.get(from)!.netns, process.execPath, fixture('tcp-stream.mjs'), host, String(port)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  topology.adoptPid(child.pid!);
  let echoes = 0;
  let last = 0;
  let maxGap = 0;
  let end: string | undefined;
  let localPort = 0;
  const waiters = new Set<() => void>();
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('connected ')) {
        localPort = Number(line.split(' ')[1]);
        resolve();
      } else if (line.startsWith('ok ')) {
        const at = Number(line.split(' ')[2]);
        if (last > 0) maxGap = Math.max(maxGap, at - last);
        last = at;
        echoes++;
      } else {
        end ??= line;
        reject(new Error(`stream: ${line}`));
      }
      for (const w of waiters) w();
    });
    setTimeout(() => reject(new Error('stream did not connect')), 5000);
  });
  return {
    echoes: () => echoes,
    maxGapMs: () => maxGap,
    retransmissions: () =>
      retransmittedSegments(topology.pods.get(from)!.netns, ['dport', '=', `:${port}`, 'sport', '=', `:${localPort}`]) +
      retransmittedSegments(topology.pods.get(to)!.netns, ['sport', '=', `:${port}`, 'dport', '=', `:${localPort}`]),
    ended: () => end,
    waitForEchoes: (n, timeoutMs = 3000) =>
      new Promise((resolve, reject) => {
        const target = echoes + n;
        const check = () => {
          if (echoes >= target) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => reject(new Error(`only ${echoes - target + n} of ${n} echoes (${end ?? 'open'})`)), timeoutMs);
        waiters.add(check);
        check();
      }),
    stop: () => child.kill('SIGKILL'),
  };
}

describeIf(isRoot, NEEDS_ROOT)('eBPF dataplane on veths', () => {
  let topology: Topology;
  let prober: Prober;
  let inventory: Inventory;
  let dataplane: EbpfDataplane;
  const nodeName = `dp-test-${uniqueSuffix()}`;
  const flows: FlowRecord[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'palisade-dp-'));
  // the host's bpffs where an `ip netns exec` child still sees it (it remounts /sys)
  const bindMount = `/run/palisade-test-${uniqueSuffix()}`;
  let stream: Stream | undefined;

  const make = () =>
    createEbpfDataplaneWith({
      nodeName,
      logger: pino({ level: 'silent' }),
      netns: topology.nodeNetns,
      onFlow: (f) => flows.push(f),
      mapSizes: MAP_SIZES,
      flowPollMs: 20,
    });

  beforeAll(async () => {
    topology = unwrap(
      await createTopology(
        [
          { namespace: 'x', name: 'server', ports: PORTS },
          { namespace: 'x', name: 'client-a', ports: PORTS },
          { namespace: 'x', name: 'client-b', ports: PORTS },
        ],
        { prefix: 'pdp' },
      ),
    );
    prober = unwrap(await startProber(topology, { timeoutMs: PROBE_TIMEOUT_MS }));
    const labels: Record<string, Record<string, string>> = { [SERVER]: { app: 'server' }, [A]: { app: 'a' }, [B]: { app: 'b' } };
    inventory = inventorySchema.parse({
      namespaces: [{ name: 'x' }],
      endpoints: [...topology.pods.values()].map((p) => ({
        namespace: p.namespace,
        name: p.name,
        labels: labels[p.key],
        ipv4: [p.ip],
        ipv6: p.ipv6 ? [p.ipv6] : [],
        ports: PORTS,
        hostInterface: p.hostIfName,
      })),
    });
    dataplane = make();
  }, 120_000);

  afterAll(async () => {
    stream?.stop();
    try {
      await make().uninstall();
    } catch {
      // the netns may be gone already
    }
    await dataplane?.close();
    await topology?.destroy();
    rmSync(pinLayout(nodeName).node, { recursive: true, force: true });
    if (existsSync(bindMount)) {
      try {
        execFileSync('umount', [bindMount]);
      } catch {
        // not mounted
      }
      rmSync(bindMount, { recursive: true, force: true });
    }
    rmSync(scratch, { recursive: true, force: true });
  });

  /** Probe each spec; returns the ones whose outcome differs from `expected`, readable. */
  async function mismatched(specs: (ProbeSpec & { expected: boolean })[]): Promise<string[]> {
    const outcomes = await prober.probeAll(specs);
    return outcomes
      .filter((o) => o.error !== undefined || o.connected !== o.probe.expected)
      .map(
        (o) =>
          `${o.probe.from} -> ${o.probe.to} ${o.probe.protocol}/${o.probe.port} v${o.probe.family ?? 4}: expected ${o.probe.expected ? 'connect' : 'refused'}, got ${o.reason}`,
      );
  }
  const both = (from: string, to: string, expected: boolean, family: 4 | 6 = 4): (ProbeSpec & { expected: boolean })[] =>
    PORTS.map((p) => ({ from, to, port: p.port, protocol: p.protocol, family, expected }));

  it('attaches nothing while no policy selects a pod, and everything connects', T, async () => {
    const report = await dataplane.apply({ bundle: bundle(1, []), inventory });
    expect(report).toMatchObject({ applied: true, errors: [] });
    expect(report.programs[SERVER]).toMatchObject({ strategy: 'none' });
    expect(dataplane.attached()).toEqual([]);
    expect(await mismatched([...both(A, SERVER, true), ...both(SERVER, A, true), ...both(B, A, true)])).toEqual([]);
  });

  it('deny-all ingress on the server: nothing gets in, the server still gets out (replies pass), other pods untouched', T, async () => {
    const report = await dataplane.apply({ bundle: bundle(2, [denyAllIngress]), inventory });
    expect(report.applied).toBe(true);
    expect(report.errors).toEqual([]);
    expect(report.programs[SERVER]).toMatchObject({
      strategy: 'straight-line',
      rules: 0,
      instructions: { ingress: expect.any(Number), egress: expect.any(Number) },
      maps: 9, // seven shared (state, conntrack, conntrack6, fragments, flows, flow aggregates, stats) + a counters map per hook
      attach: 'tcx',
    });
    expect(report.programs[A]).toMatchObject({ strategy: 'none' });
    expect(dataplane.attached().map((a) => a.endpoint)).toEqual([SERVER]);
    expect(
      await mismatched([
        ...both(A, SERVER, false),
        ...both(B, SERVER, false),
        ...both(A, SERVER, false, 6),
        ...both(SERVER, A, true),
        ...both(SERVER, B, true, 6),
        ...both(A, B, true),
      ]),
    ).toEqual([]);
    dataplane.drainFlows();
    const denied = flows.find((f) => f.kind === 'denied' && f.endpoint === SERVER && f.remote === topology.pods.get(A)!.ip);
    expect(denied).toMatchObject({
      direction: 'ingress',
      verdict: 'deny',
      rule: { tier: 'default', policyId: denyAllIngress.id, ruleIndex: 'default', action: 'Deny' },
    });
    expect(flows.some((f) => f.kind === 'allowed' && f.endpoint === SERVER && f.direction === 'egress')).toBe(true);
  });

  let serverProgramsBefore: Record<string, number> = {};

  it('switches atomically to "allow from client-a": a gets in, b still does not', T, async () => {
    serverProgramsBefore = dataplane.attached().find((a) => a.endpoint === SERVER)!.programIds;
    const report = await dataplane.apply({ bundle: bundle(3, [denyAllIngress, allowA]), inventory });
    expect(report).toMatchObject({ applied: true, errors: [] });
    expect(report.programs[SERVER]).toMatchObject({ rules: 1 });
    const after = dataplane.attached().find((a) => a.endpoint === SERVER)!.programIds;
    expect(after['to-pod']).not.toBe(serverProgramsBefore['to-pod']); // the ingress program was replaced in its link
    expect(after['from-pod']).toBe(serverProgramsBefore['from-pod']); // egress unchanged: not recompiled
    expect(await mismatched([...both(A, SERVER, true), ...both(A, SERVER, true, 6), ...both(B, SERVER, false), ...both(SERVER, B, true)])).toEqual([]);
    const allowedFlow = flows.find((f) => f.kind === 'allowed' && f.endpoint === SERVER && f.direction === 'ingress');
    expect(allowedFlow?.rule).toMatchObject({ policyId: allowA.id, ruleIndex: 0, action: 'Allow' });
    const counters = dataplane.ruleCounters(SERVER, 'ingress');
    expect(counters.find((c) => c.rule.policyId === allowA.id)?.count.packets).toBeGreaterThan(0n);
  });

  it('keeps an allowed long-lived TCP connection through a re-apply that replaces its program', T, async () => {
    stream = await startStream(topology, A, SERVER, 80);
    await stream.waitForEchoes(10);
    const retransmittedBefore = stream.retransmissions();
    const report = await dataplane.apply({ bundle: bundle(4, [denyAllIngress, allowA, allowBUdp]), inventory });
    expect(report).toMatchObject({ applied: true, errors: [] });
    await stream.waitForEchoes(20);
    expect(stream.ended()).toBeUndefined();
    console.log(`[dataplane] longest echo gap of the stream across the re-apply: ${stream.maxGapMs().toFixed(1)} ms (one every 20 ms)`);
    // Not one segment of the connection was lost across the program's replacement.
    expect(stream.retransmissions() - retransmittedBefore).toBe(0);
    expect(
      await mismatched([
        { from: B, to: SERVER, port: 81, protocol: 'UDP', expected: true },
        { from: B, to: SERVER, port: 80, protocol: 'TCP', expected: false },
      ]),
    ).toEqual([]);
  });

  it('refuses a bundle it cannot load and keeps enforcing the previous one', T, async () => {
    const before = dataplane.attached();
    // 25,000 rule slots exceed MAX_RULE_SLOTS: refused at compile time, nothing touched
    const huge = networkPolicy('huge', {
      podSelector: server,
      policyTypes: ['Ingress'],
      ingress: Array.from({ length: 25_000 }, (_, i) => ({ ports: [{ protocol: 'TCP', port: 1 + (i % 60000) }] })),
    });
    const report = await dataplane.apply({ bundle: bundle(5, [huge]), inventory });
    expect(report.applied).toBe(false);
    expect(report.errors[0]).toMatchObject({ code: 'COMPILE_LIMIT', endpoint: SERVER });
    expect(dataplane.attached()).toEqual(before);
    expect(await mismatched([...both(B, SERVER, false).filter((s) => s.protocol === 'TCP'), ...both(A, SERVER, true)])).toEqual([]);
  });

  it('refuses a bundle over the plan limit it carries and keeps enforcing the previous one', T, async () => {
    const before = dataplane.attached();
    const many = networkPolicy('many', {
      podSelector: server,
      policyTypes: ['Ingress'],
      ingress: Array.from({ length: 11 }, (_, i) => ({ ports: [{ protocol: 'TCP', port: 2000 + i }] })),
    });
    const report = await dataplane.apply({ bundle: bundle(5, [many], { rulesPerEndpoint: 10 }), inventory });
    expect(report.applied).toBe(false);
    expect(report.errors).toEqual([expect.objectContaining({ code: 'PLAN_LIMIT_EXCEEDED', endpoint: SERVER })]);
    expect(dataplane.attached()).toEqual(before);
    expect(await mismatched([...both(B, SERVER, false).filter((s) => s.protocol === 'TCP'), ...both(A, SERVER, true)])).toEqual([]);
  });

  it('enforcement outlives the agent: after close() the links stay; a second process adopts and re-applies them', T, async () => {
    const input = { bundle: bundle(4, [denyAllIngress, allowA, allowBUdp]), inventory };
    const before = dataplane.attached();
    const retransmittedBefore = stream!.retransmissions();
    await dataplane.close();
    expect(
      await mismatched([
        { from: B, to: SERVER, port: 80, protocol: 'TCP', expected: false },
        { from: A, to: SERVER, port: 81, protocol: 'UDP', expected: true },
      ]),
    ).toEqual([]);
    await stream!.waitForEchoes(10);

    // the child runs as the lab runs the agent: `ip netns exec <node>` (private /sys), host bpffs by bind mount
    mkdirSync(bindMount, { recursive: true });
    execFileSync('mount', ['--bind', '/sys/fs/bpf', bindMount]);
    const inputPath = join(scratch, 'input.json');
    writeFileSync(inputPath, JSON.stringify(input));
    // asynchronously: the stream's echoes are timed by this process's event loop
    const { stdout: out } = await execFileAsync(
      'ip',
      ['netns', 'exec', topology.nodeNetns, process.execPath, '--import', 'tsx', fixture('adopt-child.ts'), inputPath, bindMount, nodeName],
      { encoding: 'utf8', timeout: 30_000 },
    );
    const child = JSON.parse(out.trim().split('\n').at(-1)!) as {
      adopted: { endpoint?: string; ifname: string; programIds: Record<string, number> }[];
      report: { applied: boolean; errors: unknown[] };
      attached: { endpoint?: string; programIds: Record<string, number> }[];
    };
    // it found the first process's links, with the first process's programs in them...
    expect(child.adopted.map((a) => [a.ifname, a.programIds])).toEqual(before.map((a) => [a.ifname, a.programIds]));
    // ...and replaced those programs in place with its own
    expect(child.report).toMatchObject({ applied: true, errors: [] });
    const server = child.attached.find((a) => a.endpoint === SERVER)!;
    const old = before.find((a) => a.endpoint === SERVER)!;
    expect(server.programIds['to-pod']).not.toBe(old.programIds['to-pod']);
    // the connection lived through both processes; policy holds after the child exited
    await stream!.waitForEchoes(10);
    expect(stream!.ended()).toBeUndefined();
    console.log(`[dataplane] longest echo gap across close, adopt and re-apply by another process: ${stream!.maxGapMs().toFixed(1)} ms`);
    // Not one segment of the connection was lost through close, adoption and re-apply.
    expect(stream!.retransmissions() - retransmittedBefore).toBe(0);
    expect(await mismatched([...both(B, SERVER, false).filter((s) => s.protocol === 'TCP'), ...both(A, SERVER, true)])).toEqual([]);
  });

  it('uninstall detaches everything and removes the pins', T, async () => {
    stream?.stop();
    stream = undefined;
    const last = make();
    await last.adopt();
    // only the server has programs; an adopted link knows its interface, not yet its endpoint
    expect(last.attached().map((a) => a.ifname)).toEqual([topology.pods.get(SERVER)!.hostIfName]);
    await last.uninstall();
    expect(existsSync(pinLayout(nodeName).node)).toBe(false);
    expect(await mismatched([...both(B, SERVER, true)])).toEqual([]);
  });

  it('works the same through tc (clsact + cls_bpf) where tcx is missing, taking over its filters after a restart', T, async () => {
    const tc = () => createEbpfDataplaneWith({ nodeName, logger: pino({ level: 'silent' }), netns: topology.nodeNetns, attachKind: 'tc', mapSizes: MAP_SIZES });
    const first = tc();
    expect((await first.apply({ bundle: bundle(10, [denyAllIngress]), inventory })).programs[SERVER]).toMatchObject({ attach: 'tc' });
    expect(await mismatched([...both(A, SERVER, false).filter((s) => s.protocol === 'TCP')])).toEqual([]);
    await first.apply({ bundle: bundle(11, [denyAllIngress, allowA]), inventory });
    expect(await mismatched([...both(A, SERVER, true), ...both(B, SERVER, false).filter((s) => s.protocol === 'TCP')])).toEqual([]);
    await first.close(); // filters stay
    expect(await mismatched([...both(B, SERVER, false).filter((s) => s.protocol === 'TCP')])).toEqual([]);
    const second = tc();
    const report = await second.apply({ bundle: bundle(12, [denyAllIngress]), inventory });
    expect(report).toMatchObject({ applied: true, errors: [] });
    expect(await mismatched([...both(A, SERVER, false).filter((s) => s.protocol === 'TCP')])).toEqual([]);
    await second.uninstall();
    expect(await mismatched([...both(A, SERVER, true)])).toEqual([]);
  });
});
