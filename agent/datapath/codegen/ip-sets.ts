// Remote address sets of one program, all in one LPM trie (layouts.ts LpmKey): set index and
// family in the first 32 bits, then the address. Each set becomes its longest-prefix-match entries
// (policy/evaluation/lpm.ts): a CIDR -> 1 (member), each `except` hole -> 0, so one lookup answers
// membership, holes included. Equal sets (same canonical JSON) share an index.
import { canonicalJson } from '../../../policy/bundle/canonical-json.ts';
import type { CidrSet } from '../../../policy/evaluation/endpoint-policy.ts';
import { toLpmEntries } from '../../../policy/evaluation/lpm.ts';
import { parseCidr } from '../../../policy/validation/cidr.ts';
import { LpmKey } from '../layouts.ts';

export interface IpSetEntry {
  key: Buffer;
  value: Buffer;
}

/** Bits of the LPM key taken by the set/family word before the address. */
export const SET_WORD_BITS = 32;

export function setWord(index: number, family: 4 | 6): number {
  return ((index << 1) | (family === 6 ? 1 : 0)) >>> 0;
}

export function encodeLpmEntry(index: number, cidr: string, member: boolean): IpSetEntry {
  const parsed = parseCidr(cidr);
  if (!parsed.ok) throw new Error(`invalid CIDR ${cidr}: ${parsed.reason}`);
  const addr = new Uint8Array(16);
  addr.set(parsed.cidr.bytes);
  return {
    key: LpmKey.encode({ prefixlen: SET_WORD_BITS + parsed.cidr.prefix, set: setWord(index, parsed.cidr.family), addr }),
    value: Buffer.from([member ? 1 : 0]),
  };
}

export class IpSetTable {
  private readonly index = new Map<string, number>();
  private readonly sets: CidrSet[] = [];

  /** Index of `set`, adding it on first use. */
  indexOf(set: CidrSet): number {
    const key = canonicalJson(set);
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.sets.length;
      this.index.set(key, i);
      this.sets.push(set);
    }
    return i;
  }

  get count(): number {
    return this.sets.length;
  }

  /** Trie entries for every set. */
  entries(): IpSetEntry[] {
    return this.sets.flatMap((set, i) => toLpmEntries(set).map((e) => encodeLpmEntry(i, e.cidr, e.member)));
  }
}
