// The pure cores of the fairness limits: token buckets refill at their rate and say when to retry;
// client networks group an IPv6 subscriber's /64 and unwrap IPv4-mapped addresses; request
// fingerprints tell which part of a reused request differs; concurrency slots run a key's requests a
// few at a time, queue the next in arrival order and refuse past the queue.
import { describe, expect, it } from 'vitest';
import { clientNetwork } from '../../../api/middleware/client-address.ts';
import { concurrencySlots } from '../../../api/middleware/concurrency-slots.ts';
import { fingerprintDifferences, requestFingerprint } from '../../../api/middleware/request-fingerprint.ts';
import { tokenBuckets } from '../../../api/middleware/token-buckets.ts';

describe('tokenBuckets', () => {
  it('lets a burst through, refuses with the wait for the next token, and refills per key', () => {
    let now = 0;
    const buckets = tokenBuckets({ name: 'test', burst: 3, perSecond: 2 }, () => now);
    expect([1, 2, 3].map(() => buckets.take('a').allowed)).toEqual([true, true, true]);
    const refused = buckets.take('a');
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterSeconds: 1, fullInSeconds: 2 });
    expect(buckets.take('b').allowed).toBe(true);
    now = 500;
    expect(buckets.take('a')).toMatchObject({ allowed: true, remaining: 0 });
    now = 10_000;
    expect(buckets.take('a')).toMatchObject({ allowed: true, remaining: 2 });
  });
});

describe('clientNetwork', () => {
  it.each([
    ['203.0.113.9', '203.0.113.9'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::7', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
  ])('%s -> %s', (address, network) => {
    expect(clientNetwork(address)).toBe(network);
  });
});

describe('requestFingerprint', () => {
  const base = { method: 'POST', path: '/v1/apply', searchParams: new URLSearchParams('cluster=c1&dryRun=true'), body: '{}' };
  it('ignores query parameter order and names each differing part', () => {
    const stored = requestFingerprint(base);
    expect(fingerprintDifferences(stored, requestFingerprint({ ...base, searchParams: new URLSearchParams('dryRun=true&cluster=c1') }))).toEqual([]);
    expect(fingerprintDifferences(stored, requestFingerprint({ ...base, searchParams: new URLSearchParams('cluster=c2&dryRun=true') }))).toEqual(['query']);
    expect(fingerprintDifferences(stored, requestFingerprint({ ...base, method: 'PUT', body: '[]' }))).toEqual(['method', 'body']);
  });
});

describe('concurrencySlots', () => {
  it('runs a key up to its slots, queues the next in order, refuses past the queue, and keeps keys apart', async () => {
    const slots = concurrencySlots({ inFlight: 2, queued: 2 });
    const first = await slots.acquire('a')!;
    const second = await slots.acquire('a')!;
    const order: string[] = [];
    const inOrder = (name: string) => (release: () => void) => {
      order.push(name);
      return release;
    };
    const third = slots.acquire('a')!.then(inOrder('third'));
    const fourth = slots.acquire('a')!.then(inOrder('fourth'));
    expect(slots.acquire('a')).toBeUndefined();
    expect(slots.usage('a')).toEqual({ running: 2, waiting: 2 });
    const other = await slots.acquire('b')!;
    other();
    expect(slots.usage('b')).toEqual({ running: 0, waiting: 0 });

    first();
    first();
    await third;
    expect(order).toEqual(['third']);
    expect(slots.usage('a')).toEqual({ running: 2, waiting: 1 });
    second();
    (await third)();
    (await fourth)();
    expect(order).toEqual(['third', 'fourth']);
    expect(slots.usage('a')).toEqual({ running: 0, waiting: 0 });
  });
});
