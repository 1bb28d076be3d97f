// Agent upgrades that change the conntrack tables' layouts, entries converted so the connections
// they admitted keep passing. Losing them is not harmless: an entry is what lets a reply past a pod's
// ingress policy, and a pod that only receives on an established connection sends nothing that
// would record it again. Two earlier layouts:
// - the one-table conntrack (before issue 13: every flow under a 44-byte CtKey with a 24-byte
//   value): each entry goes to the table of its family;
// - the IPv4 LRU hash (CtKey4 -> CtValue, issue 13 until the set-associative table): each entry
//   becomes a way (layouts.ts CtWay4), placed by ct4-table.ts.
import type { Ct4Entry } from './ct4-table.ts';
import { CtKey, CtKey4, CtValue } from './layouts.ts';

/** The IPv4 LRU hash's layout (the `conntrack` pin between the per-family split and the array). */
export const LRU_CONNTRACK4 = { keySize: CtKey4.size, valueSize: CtValue.size } as const;

/** One entry of the IPv4 LRU hash as a way of the set-associative table (its `tag` is not kept). */
export function ct4EntryOf(key: Uint8Array, value: Uint8Array): Ct4Entry {
  const k = CtKey4.decode(key);
  const v = CtValue.decode(value);
  return { ifindex: k.ifindex, proto: k.proto, lport: k.lport, rport: k.rport, local: k.local, remote: k.remote, lastSeen: v.lastSeen, flags: v.flags };
}

/** The pinned `conntrack` map's layout before issue 13. */
export const LEGACY_CONNTRACK = { keySize: CtKey.size, valueSize: 24 } as const;
/** Where the legacy value's fields were: lastSeen u64, created u64, flags u32, tag u32. */
const LEGACY_VALUE = { lastSeen: 0, flags: 16, tag: 20 } as const;

export interface ConvertedEntry {
  table: 'conntrack' | 'conntrack6';
  key: Buffer;
  value: Buffer;
}

/** One legacy entry in its family's table; null for a family byte that is neither 4 nor 6. */
export function convertLegacyEntry(key: Uint8Array, value: Uint8Array): ConvertedEntry | null {
  const old = CtKey.decode(Buffer.from(key));
  const v = Buffer.from(value);
  const converted = CtValue.encode({
    lastSeen: v.readBigUInt64LE(LEGACY_VALUE.lastSeen),
    flags: v.readUInt32LE(LEGACY_VALUE.flags),
    tag: v.readUInt32LE(LEGACY_VALUE.tag),
  });
  if (old.family === 6) return { table: 'conntrack6', key: Buffer.from(key), value: converted };
  if (old.family !== 4) return null;
  const key4 = CtKey4.encode({ ...old, local: old.local.subarray(0, 4), remote: old.remote.subarray(0, 4) });
  return { table: 'conntrack', key: key4, value: converted };
}
