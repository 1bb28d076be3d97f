import { describe, expect, it } from 'vitest';
import { randomSubnet6 } from '../../../lab/net/addresses.ts';
import { hostIfName, MAX_IFNAME, newRunId, nodeNetnsName, podMac, podNetnsNames, runIdOfNetns } from '../../../lab/net/names.ts';
import { mapLimit } from '../../../lab/probe/limit.ts';

describe('lab names', () => {
  it('run ids and the netns they own', () => {
    const id = newRunId();
    expect(id).toMatch(/^pl[0-9a-f]{6}$/);
    expect(runIdOfNetns(`${id}-x-a`)).toBe(id);
    expect(runIdOfNetns(nodeNetnsName(id))).toBe(id);
    expect(runIdOfNetns(id)).toBeUndefined();
    expect(runIdOfNetns('plzzzzzz-x-a')).toBeUndefined();
    expect(runIdOfNetns('pls123456-x-a')).toBeUndefined(); // another prefix's run
    expect(runIdOfNetns('pls123456-x-a', 'pls')).toBe('pls123456');
  });

  it('pod netns names are readable, unique and bounded', () => {
    const names = podNetnsNames('pl000001', [
      { namespace: 'x', name: 'a' },
      { namespace: 'x-a', name: 'b' },
      { namespace: 'x', name: 'a-b' }, // would collide with the previous one
      { namespace: 'y', name: 'a'.repeat(200) },
      { namespace: 'x', name: 'node' },
    ]);
    expect(names[0]).toBe('pl000001-x-a');
    expect(new Set(names).size).toBe(names.length);
    expect(names[1]).toMatch(/^pl000001-p1-[0-9a-f]{8}$/);
    expect(names[2]).toMatch(/^pl000001-p2-[0-9a-f]{8}$/);
    expect(names[3]!.length).toBeLessThanOrEqual(48);
    expect(names).not.toContain(nodeNetnsName('pl000001'));
  });

  it('host interface names fit IFNAMSIZ and stay unique by index', () => {
    const names = Array.from({ length: 254 }, (_, i) => hostIfName(i, 'a-very-long-namespace', 'a-very-long-pod-name'));
    expect(Math.max(...names.map((n) => n.length))).toBeLessThanOrEqual(MAX_IFNAME);
    expect(new Set(names).size).toBe(254);
    expect(hostIfName(0, 'x', 'a')).toBe('v0-x-a');
  });

  it('pod MACs are locally administered unicast and unique per pod', () => {
    const m = podMac('pl0a0b0c', 258);
    expect(m).toBe('02:0a:0b:0c:01:02');
    expect(parseInt(m.slice(0, 2), 16) & 0b11).toBe(0b10);
  });

  it('ULA /64s', () => {
    const s = randomSubnet6();
    expect(s.cidr).toMatch(/^fd[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,4}:[0-9a-f]{1,4}::\/64$/);
    expect(s.host(10)).toBe(s.cidr.replace('::/64', '::a'));
  });
});

describe('mapLimit', () => {
  it('keeps order and bounds concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3, 0], 2, async (x) => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, x * 3));
      inFlight--;
      return x * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0]);
    expect(peak).toBe(2);
    expect(await mapLimit([], 4, async (x) => x)).toEqual([]);
  });
});
