// Two fresh network namespaces joined by a veth pair, with a UDP echo server in B and a prober in
// A, for attach tests. Addresses from 198.18.0.0/15 only, inside namespaces this test made; the
// names carry a random suffix so parallel runs never meet. destroy() removes everything.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ifindexOf, withNetns } from '../../../bpf/kernel/netns.ts';
import { uniqueSuffix } from './harness.ts';

const ip = (...args: string[]): void => {
  execFileSync('ip', args, { stdio: 'pipe' });
};

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

export interface VethPair {
  nsA: string;
  nsB: string;
  ifA: string;
  ifB: string;
  addrA: string;
  addrB: string;
  /** ifindex of ifB inside nsB */
  ifindexB: number;
  /** echoes received by the prober so far */
  replies(): number;
  /** resolves once `n` more echoes than now arrived, or rejects after `timeoutMs` */
  waitForReplies(n: number, timeoutMs?: number): Promise<void>;
  destroy(): void;
}

export async function createVethPair(): Promise<VethPair> {
  const id = uniqueSuffix();
  const nsA = `palisade-test-${id}-a`;
  const nsB = `palisade-test-${id}-b`;
  const ifA = `pva${id}`;
  const ifB = `pvb${id}`;
  const addrA = '198.18.0.1';
  const addrB = '198.18.0.2';
  const children: ChildProcess[] = [];
  const destroy = (): void => {
    for (const c of children) c.kill('SIGKILL');
    for (const ns of [nsA, nsB]) {
      try {
        ip('netns', 'del', ns); // deleting a namespace deletes its veth end, and so the pair
      } catch {
        // already gone
      }
    }
  };
  try {
    ip('netns', 'add', nsA);
    ip('netns', 'add', nsB);
    ip('link', 'add', ifA, 'netns', nsA, 'type', 'veth', 'peer', 'name', ifB, 'netns', nsB);
    for (const [ns, dev, addr] of [
      [nsA, ifA, addrA],
      [nsB, ifB, addrB],
    ] as const) {
      ip('-n', ns, 'addr', 'add', `${addr}/24`, 'dev', dev);
      ip('-n', ns, 'link', 'set', dev, 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    const ifindexB = withNetns(nsB, () => ifindexOf(ifB));

    const server = spawn('ip', ['netns', 'exec', nsB, process.execPath, fixture('udp-echo.mjs'), addrB, '7777'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    children.push(server);
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: server.stdout! }).once('line', () => resolve());
      server.once('exit', (code) => reject(new Error(`echo server exited with ${code}`)));
    });

    let replies = 0;
    const waiters = new Set<() => void>();
    const prober = spawn('ip', ['netns', 'exec', nsA, process.execPath, fixture('udp-probe.mjs'), addrB, '7777'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    children.push(prober);
    createInterface({ input: prober.stdout! }).on('line', (line) => {
      if (!line.startsWith('ok ')) return;
      replies++;
      for (const w of waiters) w();
    });

    return {
      nsA,
      nsB,
      ifA,
      ifB,
      addrA,
      addrB,
      ifindexB,
      replies: () => replies,
      waitForReplies: (n, timeoutMs = 3000) =>
        new Promise<void>((resolve, reject) => {
          const target = replies + n;
          const check = (): void => {
            if (replies >= target) {
              clearTimeout(timer);
              waiters.delete(check);
              resolve();
            }
          };
          const timer = setTimeout(() => {
            waiters.delete(check);
            reject(new Error(`only ${replies - target + n} of ${n} echoes within ${timeoutMs} ms`));
          }, timeoutMs);
          waiters.add(check);
          check();
        }),
      destroy,
    };
  } catch (error) {
    destroy();
    throw error;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
