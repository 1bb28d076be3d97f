// A node's host interface facing the outside, for host endpoint (XDP) tests and the bench: a "node"
// network namespace and an "outside" one joined by a veth, the node's end named like a host NIC.
// The outside floods with bench/loadgen.c's UDP mode (raw socket, any source address, new flow per
// datagram), so a flood can come from a denied source net without that net being configured
// anywhere. Addresses are 198.18.0.0/15 (benchmarking), inside namespaces made here; names carry a
// random suffix so parallel runs never meet. destroy() removes everything.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface HostLink {
  nodeNetns: string;
  outsideNetns: string;
  /** The node's end: what a HostEndpoint's interfaceName names. */
  hostIf: string;
  nodeAddr: string;
  /** UDP datagrams that reached the node's stack so far (delivered, no port, or in error). */
  udpArrived(): number;
  /** 64-byte UDP datagrams from `srcCount` addresses starting at `srcBase` for `seconds`: how many were sent. */
  flood(options: { srcBase: string; srcCount: number; seconds: number; port: number }): number;
  destroy(): void;
}

const NODE_ADDR = '198.18.7.1';
const OUTSIDE_ADDR = '198.18.7.2';

const ip = (...args: string[]): void => {
  execFileSync('ip', args, { stdio: 'pipe' });
};

/** Flood senders start their pairs here and move on, so every run's datagrams are new flows. */
let floodStart = 0;

export function createHostLink(prefix = 'phl'): HostLink {
  const id = randomBytes(3).toString('hex');
  const nodeNetns = `${prefix}-${id}-node`;
  const outsideNetns = `${prefix}-${id}-out`;
  const hostIf = `eth${id}`;
  const outsideIf = `ext${id}`;
  const dir = mkdtempSync(join(tmpdir(), 'palisade-host-link-'));
  const destroy = (): void => {
    for (const ns of [nodeNetns, outsideNetns]) {
      try {
        ip('netns', 'del', ns);
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const loadgen = join(dir, 'loadgen');
    execFileSync('gcc', ['-O2', '-Wall', '-o', loadgen, fileURLToPath(new URL('../../bench/loadgen.c', import.meta.url))], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    ip('netns', 'add', nodeNetns);
    ip('netns', 'add', outsideNetns);
    ip('link', 'add', hostIf, 'netns', nodeNetns, 'type', 'veth', 'peer', 'name', outsideIf, 'netns', outsideNetns);
    for (const [ns, dev, addr] of [
      [nodeNetns, hostIf, NODE_ADDR],
      [outsideNetns, outsideIf, OUTSIDE_ADDR],
    ] as const) {
      ip('-n', ns, 'addr', 'add', `${addr}/24`, 'dev', dev);
      ip('-n', ns, 'link', 'set', dev, 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    // Flood sources lie outside the link's /24: the node routes their (ICMP) answers back this way.
    ip('-n', nodeNetns, 'route', 'add', 'default', 'via', OUTSIDE_ADDR);
    return {
      nodeNetns,
      outsideNetns,
      hostIf,
      nodeAddr: NODE_ADDR,
      udpArrived() {
        const lines = execFileSync('ip', ['netns', 'exec', nodeNetns, 'cat', '/proc/net/snmp'], { encoding: 'utf8' })
          .split('\n')
          .filter((l) => l.startsWith('Udp:'));
        const names = lines[0]!.split(/\s+/);
        const values = lines[1]!.split(/\s+/).map(Number);
        const of = (name: string) => values[names.indexOf(name)] ?? 0;
        return of('InDatagrams') + of('NoPorts') + of('InErrors');
      },
      flood({ srcBase, srcCount, seconds, port }) {
        const out = execFileSync(
          'ip',
          ['netns', 'exec', outsideNetns, loadgen, 'udp', NODE_ADDR, String(port), String(seconds), srcBase, String(srcCount), String(floodStart)],
          { encoding: 'utf8' },
        );
        const sent = Number(/sent (\d+)/.exec(out)?.[1]);
        floodStart += sent;
        return sent;
      },
      destroy,
    };
  } catch (error) {
    destroy();
    throw error;
  }
}
