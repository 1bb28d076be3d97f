// The IPv4 conntrack table's own rules (codegen/conntrack4.ts), through BPF_PROG_TEST_RUN against a
// table of one set, so every flow meets every other: a full set evicts its least recently seen way,
// an expired way goes first, a way a writer is inside admits nothing, and two processes writing the
// set at once never admit a flow neither recorded. That last one is a smoke test, not a proof: a
// torn way lives for nanoseconds, a test run round trip takes microseconds, and a build with the
// seqlock taken out (no claim, no second read) passed it too (60,000 rounds a process in 3 s). It
// shows the protocol under contention records, hits and leaves only whole ways; why a torn way
// cannot admit a flow is argued in codegen/conntrack4.ts.
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { ct4Entries, findCt4Entry, readCt4Header, updateCt4Entry } from '../../../agent/datapath/ct4-table.ts';
import { CT4_WAYS, CtWay4 } from '../../../agent/datapath/layouts.ts';
import { CT_TIMEOUT_OTHER_NS } from '../../../agent/datapath/limits.ts';
import { closeSharedMaps, openSharedMaps } from '../../../agent/datapath/shared-maps.ts';
import { BPFFS_ROOT, ensureBpffs } from '../../../bpf/kernel/pin.ts';
import { describeIf, NEEDS_KERNEL_BPF } from '../../support/needs.ts';
import { kernelAvailable, uniqueSuffix } from '../bpf/harness.ts';
import { HAMMER_POD, HAMMER_PORTS, HAMMER_SERVERS } from './fixtures/ct-hammer.ts';
import { createDatapath, type Datapath } from './support/harness.ts';
import { ipPacket, udp } from './support/packets.ts';
import { directionPolicy, policy, rule, term, tier } from './support/policies.ts';

const POD = '198.18.0.10';
const DNS = '192.0.2.53';
const execFileAsync = promisify(execFile);
/** Rounds each process runs: about half a second on a quiet machine (60,000 took 3 s), a multiple of its four flows. */
const ROUNDS = 12_000;

describeIf(kernelAvailable(), NEEDS_KERNEL_BPF)('IPv4 conntrack sets', () => {
  let dp: Datapath;
  let fromPod: ReturnType<Datapath['load']>;
  let toPod: ReturnType<Datapath['load']>;
  beforeAll(() => {
    dp = createDatapath({ conntrack: CT4_WAYS }); // one set
    fromPod = dp.load('egress', directionPolicy('egress', [tier('default', 'Deny', [policy('dns', [rule('Allow', term('UDP', [[53, 53]]))])])]));
    toPod = dp.load('ingress', directionPolicy('ingress', [tier('default', 'Deny', [policy('deny-all', [])])]));
  });
  afterAll(() => dp?.close());
  afterEach(() => {
    // empty the set: every way written back to zero, its sequence kept even
    const value = Buffer.alloc(dp.shared.conntrack.valueSize);
    const key = Buffer.alloc(4);
    key.writeUInt32LE(1);
    dp.shared.conntrack.update(key, value);
  });

  const open = (port: number) => expect(dp.run(fromPod, ipPacket(POD, DNS, udp(port, 53))).outcome).toBe('allow');
  const reply = (port: number) => dp.run(toPod, ipPacket(DNS, POD, udp(53, port))).outcome;
  const key = (lport: number) => ({ ifindex: 1, proto: 17, lport, rport: 53, local: Buffer.from([198, 18, 0, 10]), remote: Buffer.from([192, 0, 2, 53]) });

  it('is one header and one set of four ways here', () => {
    expect(dp.shared.conntrack.maxEntries).toBe(2);
    expect(readCt4Header(dp.shared.conntrack).setMask).toBe(0);
  });

  it('evicts the least recently seen way of a full set: a flow whose packets keep coming survives a flood', () => {
    open(40_000);
    for (let i = 0; i < 20; i++) {
      open(41_000 + i);
      expect(reply(40_000)).toBe('allow'); // refreshes it
    }
    expect(reply(41_019)).toBe('allow');
    expect(reply(41_000)).toBe('drop');
    expect(ct4Entries(dp.shared.conntrack)).toHaveLength(CT4_WAYS);
  });

  it('evicts the oldest flow when none is refreshed', () => {
    for (const port of [40_000, 40_001, 40_002, 40_003, 40_004]) open(port);
    expect(reply(40_000)).toBe('drop');
    for (const port of [40_001, 40_002, 40_003, 40_004]) expect(reply(port)).toBe('allow');
  });

  it('takes an expired way before the least recently seen live one', () => {
    for (const port of [40_000, 40_001, 40_002, 40_003]) open(port);
    const found = findCt4Entry(dp.shared.conntrack, key(40_002))!;
    updateCt4Entry(dp.shared.conntrack, found, { lastSeen: found.entry.lastSeen - CT_TIMEOUT_OTHER_NS - 1n });
    open(40_004);
    expect(findCt4Entry(dp.shared.conntrack, key(40_004))?.way).toBe(found.way);
    for (const port of [40_000, 40_001, 40_003, 40_004]) expect(reply(port)).toBe('allow');
  });

  it('admits nothing through a way a writer is inside (odd sequence), and writes no flow into it', () => {
    open(40_000);
    const found = findCt4Entry(dp.shared.conntrack, key(40_000))!;
    const setKey = Buffer.alloc(4);
    setKey.writeUInt32LE(found.set);
    const set = dp.shared.conntrack.lookup(setKey)!;
    const at = found.way * CtWay4.size + CtWay4.offsetOf('seq');
    set.writeUInt32LE(set.readUInt32LE(at) + 1, at);
    dp.shared.conntrack.update(setKey, set);
    expect(reply(40_000)).toBe('drop');
    for (const port of [40_001, 40_002, 40_003, 40_004]) open(port); // four more flows, three free ways
    const after = dp.shared.conntrack.lookup(setKey)!;
    expect(after.readUInt32LE(at) & 1).toBe(1); // untouched
    set.writeUInt32LE(set.readUInt32LE(at) + 1, at); // the writer leaves
    dp.shared.conntrack.update(setKey, Buffer.concat([after.subarray(0, at), set.subarray(at, at + 4), after.subarray(at + 4)]));
    expect(reply(40_000)).toBe('allow');
  });
});

describeIf(kernelAvailable(), NEEDS_KERNEL_BPF)('IPv4 conntrack sets written from two CPUs at once', () => {
  const dir = `${BPFFS_ROOT}/palisade-test-ct4-${uniqueSuffix()}`;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('never admits a flow neither process recorded', async () => {
    ensureBpffs();
    closeSharedMaps(openSharedMaps(dir, { conntrack: CT4_WAYS }).maps);
    const fixture = new URL('./fixtures/ct-hammer.ts', import.meta.url).pathname;
    // Both start at one instant, some seconds ahead: loading the programs under tsx takes about one.
    const startAt = String(Date.now() + 4_000);
    const runs = await Promise.all(
      [0, 1].map((who) => execFileAsync(process.execPath, ['--import', 'tsx', fixture, dir, String(who), String(ROUNDS), startAt], { encoding: 'utf8' })),
    );
    const results = runs.map((run) => JSON.parse(run.stdout) as { rounds: number; violations: number; hits: number });
    for (const result of results) {
      expect(result.violations).toBe(0);
      expect(result.rounds).toBe(ROUNDS);
      expect(result.hits).toBeGreaterThan(0); // the set held their flows at times: they did meet
    }
    // and what is left is whole flows, each one of the eight recorded
    const { maps } = openSharedMaps(dir, { conntrack: CT4_WAYS });
    try {
      const recorded = new Set(HAMMER_PORTS.flatMap((ports, who) => ports.map((port) => `${port}/${HAMMER_SERVERS[who]}`)));
      for (const entry of ct4Entries(maps.conntrack)) {
        expect(recorded).toContain(`${entry.lport}/${[...entry.remote].join('.')}`);
        expect([...entry.local].join('.')).toBe(HAMMER_POD);
      }
    } finally {
      closeSharedMaps(maps);
    }
  }, 30_000);
});
