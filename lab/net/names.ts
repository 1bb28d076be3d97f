// Names and link-layer identities for one lab run. Everything a run creates carries its run id, so
// concurrent runs never collide and leftovers can be traced back to a (dead) owner.
import { createHash, randomBytes } from 'node:crypto';

export const DEFAULT_PREFIX = 'pl';

/** `pl` + 6 hex digits: short enough to leave room in 15-char interface names if ever needed. */
export function newRunId(prefix = DEFAULT_PREFIX): string {
  return prefix + randomBytes(3).toString('hex');
}

/** Matches run ids of a prefix, e.g. for sweeping. */
export function runIdPattern(prefix = DEFAULT_PREFIX): RegExp {
  return new RegExp(`^${prefix.replace(/[^a-z0-9]/g, '')}[0-9a-f]{6}$`);
}

/** The run id owning a netns name, or undefined when the name is not a lab netns of this prefix. */
export function runIdOfNetns(netns: string, prefix = DEFAULT_PREFIX): string | undefined {
  const runId = netns.split('-', 1)[0]!;
  return runIdPattern(prefix).test(runId) && netns.length > runId.length ? runId : undefined;
}

export const nodeNetnsName = (runId: string): string => `${runId}-node`;

// netns names become files under /run/netns; NAME_MAX is 255, but long names are unreadable in
// `ip netns list`, so long ones are cut and made unique with a hash.
const MAX_NETNS = 48;

/**
 * `<run>-<ns>-<pod>`. Namespaces may contain '-', so "x-a"/"b" and "x"/"a-b" would collide: the
 * index-and-hash fallback covers that and over-long names.
 */
export function podNetnsNames(runId: string, pods: readonly { namespace: string; name: string }[]): string[] {
  const plain = pods.map((p) => `${runId}-${p.namespace}-${p.name}`);
  const counts = new Map<string, number>();
  for (const n of plain) counts.set(n, (counts.get(n) ?? 0) + 1);
  return plain.map((n, i) => {
    if (n.length <= MAX_NETNS && counts.get(n) === 1 && n !== nodeNetnsName(runId)) return n;
    const p = pods[i]!;
    const h = createHash('sha256').update(`${p.namespace}/${p.name}`).digest('hex').slice(0, 8);
    return `${runId}-p${i}-${h}`;
  });
}

/** IFNAMSIZ is 16 including the NUL. */
export const MAX_IFNAME = 15;

/**
 * Host-side veth names live in the run's own node netns, so they only need to be unique within the
 * run: `v<index>-<ns>-<pod>` cut to 15 chars stays unique because the index comes first and ends at '-'.
 */
export function hostIfName(index: number, namespace: string, name: string): string {
  return `v${index}-${namespace}-${name}`.replace(/[^a-zA-Z0-9._-]/g, '_').slice(0, MAX_IFNAME);
}

/** All host-side veths share one MAC, as Calico's do: pods only ever talk to "the gateway". */
export const HOST_MAC = 'ee:ee:ee:ee:ee:ee';

/** Locally administered unicast MAC, unique per run and pod, so neighbours can be static. */
export function podMac(runId: string, index: number): string {
  const r = runId.slice(-6);
  const bytes = [0x02, ...[0, 2, 4].map((o) => parseInt(r.slice(o, o + 2), 16)), (index >> 8) & 0xff, index & 0xff];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** Pods route everything via these link-local gateways (the Calico model), answered by static neighbours. */
export const GATEWAY_V4 = '169.254.1.1';
export const GATEWAY_V6 = 'fe80::1';
