// IPv4 and IPv6 CIDR parsing with Kubernetes' strict ipBlock rules (k8s.io/apimachinery
// pkg/api/validation/ip.go, parseCIDR with strictValidation, the StrictIPCIDRValidation feature):
// no leading zeros in an IPv4 octet or the prefix length (libc reads them as octal, Go as decimal, so
// two programs could disagree on the address), no IPv4-mapped IPv6 addresses (software disagrees on
// their family), and no bits set after the prefix length (ambiguous between a subnet and a host).
// Non-canonical IPv6 spellings (upper case, uncompressed groups) stay valid, as in Kubernetes.
// The agent reuses parseCidr to build LPM trie keys, so it returns raw bytes.

export type IpFamily = 4 | 6;

export interface ParsedCidr {
  family: IpFamily;
  /** Network address, 4 or 16 bytes in network order. */
  bytes: Uint8Array;
  prefix: number;
}

export type CidrParseResult = { ok: true; cidr: ParsedCidr } | { ok: false; reason: string };

/** Detail messages as the API server gives them. */
export const CIDR_REASONS = {
  syntax: 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
  leadingZeros: 'must not have leading 0s in IP or prefix length',
  ipv4Mapped: 'must not have an IPv4-mapped IPv6 address',
  hostBits: 'must not have bits set beyond the prefix length',
} as const;

interface ParsedAddress {
  family: IpFamily;
  bytes: Uint8Array;
  /** Accepted by Go's lenient parser, refused by the strict one. */
  leadingZeros: boolean;
}

const DOT = 0x2e;
const ZERO = 0x30;

// One pass over the characters, no split or regular expression: a 10,000-rule bundle parses as many
// CIDRs on the agent's way from start to its first apply, most of them in code not yet optimised.
function parseIPv4(text: string): ParsedAddress | null {
  const bytes = new Uint8Array(4);
  let leadingZeros = false;
  let octets = 0;
  let value = 0;
  let digits = 0;
  let firstDigit = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : DOT;
    if (c === DOT) {
      // an empty octet, a fifth one, or one above 255
      if (digits === 0 || octets === 4 || value > 255) return null;
      if (digits > 1 && firstDigit === 0) leadingZeros = true;
      bytes[octets++] = value;
      value = 0;
      digits = 0;
    } else if (c >= ZERO && c <= ZERO + 9) {
      if (digits === 0) firstDigit = c - ZERO;
      // capped: a long run of digits is above 255 either way, and stays a small integer
      value = Math.min(value * 10 + (c - ZERO), 256);
      digits++;
    } else return null;
  }
  return octets === 4 ? { family: 4, bytes, leadingZeros } : null;
}

/** Groups of 1-4 hex digits, one optional '::' standing for at least one zero group, an optional dotted IPv4 tail. */
function parseIPv6(text: string): ParsedAddress | null {
  if (text.includes('%')) return null; // zones are not part of a prefix
  const ellipsis = text.indexOf('::');
  if (ellipsis !== -1 && text.indexOf('::', ellipsis + 1) !== -1) return null;
  const splitGroups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const head = ellipsis === -1 ? splitGroups(text) : splitGroups(text.slice(0, ellipsis));
  const tail = ellipsis === -1 ? [] : splitGroups(text.slice(ellipsis + 2));

  let leadingZeros = false;
  const toWords = (pieces: string[], last: boolean): number[] | null => {
    const words: number[] = [];
    for (const [i, piece] of pieces.entries()) {
      if (last && i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIPv4(piece);
        if (!v4) return null;
        leadingZeros ||= v4.leadingZeros;
        words.push(((v4.bytes[0] ?? 0) << 8) | (v4.bytes[1] ?? 0), ((v4.bytes[2] ?? 0) << 8) | (v4.bytes[3] ?? 0));
        continue;
      }
      if (!/^[0-9A-Fa-f]{1,4}$/.test(piece)) return null;
      words.push(parseInt(piece, 16));
    }
    return words;
  };
  const headWords = toWords(head, ellipsis === -1);
  const tailWords = toWords(tail, true);
  if (!headWords || !tailWords) return null;
  const given = headWords.length + tailWords.length;
  if (ellipsis === -1 ? given !== 8 : given > 7) return null;
  const words = [...headWords, ...new Array<number>(8 - given).fill(0), ...tailWords];
  const bytes = new Uint8Array(16);
  for (const [i, word] of words.entries()) {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  }
  return { family: 6, bytes, leadingZeros };
}

function isIPv4Mapped(bytes: Uint8Array): boolean {
  return bytes.length === 16 && bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
}

function hasBitsAfterPrefix(bytes: Uint8Array, prefix: number): boolean {
  for (let bit = prefix; bit < bytes.length * 8; bit++) {
    if (((bytes[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1) return true;
  }
  return false;
}

/** Parses `address/prefix` strictly; the failure reason is the API server's message for the first rule broken. */
export function parseCidr(text: string): CidrParseResult {
  const slash = text.indexOf('/');
  if (slash === -1) return { ok: false, reason: CIDR_REASONS.syntax };
  const addressText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const address = addressText.includes(':') ? parseIPv6(addressText) : parseIPv4(addressText);
  if (!address || !/^[0-9]+$/.test(prefixText)) return { ok: false, reason: CIDR_REASONS.syntax };
  const prefix = Number(prefixText);
  if (prefix > address.bytes.length * 8) return { ok: false, reason: CIDR_REASONS.syntax };

  if (address.leadingZeros || (prefixText.length > 1 && prefixText.startsWith('0'))) {
    return { ok: false, reason: CIDR_REASONS.leadingZeros };
  }
  if (isIPv4Mapped(address.bytes)) return { ok: false, reason: CIDR_REASONS.ipv4Mapped };
  if (hasBitsAfterPrefix(address.bytes, prefix)) return { ok: false, reason: CIDR_REASONS.hostBits };
  return { ok: true, cidr: { family: address.family, bytes: address.bytes, prefix } };
}

/** Canonical text: dotted quad for IPv4, RFC 5952 for IPv6 (lower case, longest zero run of 2+ groups as '::'). */
export function formatCidr(cidr: ParsedCidr): string {
  if (cidr.family === 4) return `${cidr.bytes[0]}.${cidr.bytes[1]}.${cidr.bytes[2]}.${cidr.bytes[3]}/${cidr.prefix}`;
  const words = Array.from({ length: 8 }, (_, i) => ((cidr.bytes[2 * i] ?? 0) << 8) | (cidr.bytes[2 * i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]): string => ws.map((w) => w.toString(16)).join(':');
  const text = bestStart === -1 ? hex(words) : `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLength))}`;
  return `${text}/${cidr.prefix}`;
}

/** True when every address of `inner` is in `outer` (same family, equal or longer prefix). */
export function cidrContains(outer: ParsedCidr, inner: ParsedCidr): boolean {
  if (outer.family !== inner.family || outer.prefix > inner.prefix) return false;
  return leadingBitsEqual(outer.bytes, inner.bytes, outer.prefix);
}

/**
 * Kubernetes' rule for ipBlock.except (ValidateIPBlock): inside `cidr` and strictly smaller, so an
 * except equal to its cidr or of the other family is refused.
 */
export function isStrictSubset(outer: ParsedCidr, inner: ParsedCidr): boolean {
  return cidrContains(outer, inner) && outer.prefix < inner.prefix;
}

function leadingBitsEqual(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  for (let bit = 0; bit < bits; bit++) {
    const mask = 1 << (7 - (bit & 7));
    if (((a[bit >> 3] ?? 0) & mask) !== ((b[bit >> 3] ?? 0) & mask)) return false;
  }
  return true;
}

/**
 * Looser spellings other APIs accept, each still held to the strict rules above otherwise:
 * - `bareAddress`: an address without a prefix length means a single host (/32 or /128), as Calico's
 *   ParseCIDROrIP reads it (rule `nets`, network sets);
 * - `clearHostBits`: bits after the prefix length are cleared instead of refused, as Go's
 *   net.ParseCIDR returns the network (AdminNetworkPolicy `networks`, Calico network sets).
 */
export interface CidrSpelling {
  bareAddress?: boolean;
  clearHostBits?: boolean;
}

function clearBitsAfterPrefix(bytes: Uint8Array, prefix: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let bit = prefix; bit < out.length * 8; bit++) out[bit >> 3] = (out[bit >> 3] ?? 0) & ~(1 << (7 - (bit & 7)));
  return out;
}

export function parseCidrSpelled(text: string, spelling: CidrSpelling): CidrParseResult {
  let cidrText = text;
  if (spelling.bareAddress && !text.includes('/')) cidrText = `${text}/${text.includes(':') ? 128 : 32}`;
  const parsed = parseCidr(cidrText);
  if (parsed.ok || !spelling.clearHostBits || parsed.reason !== CIDR_REASONS.hostBits) return parsed;
  // Only the host-bits rule failed, so the text is otherwise a valid CIDR: parse it as a network.
  const slash = cidrText.indexOf('/');
  const prefix = Number(cidrText.slice(slash + 1));
  const asNetwork = parseCidr(`${cidrText.slice(0, slash)}/${cidrText.includes(':') ? 128 : 32}`);
  if (!asNetwork.ok) return parsed;
  return { ok: true, cidr: { family: asNetwork.cidr.family, bytes: clearBitsAfterPrefix(asNetwork.cidr.bytes, prefix), prefix } };
}
