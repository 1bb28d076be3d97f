// Remote address sets: building them from ipBlocks and pod addresses, putting them in one canonical
// form (so equal sets hash equal and the dataplane loads no redundant entries), and testing an
// address against them. Meaning of a block (NetworkPolicy ipBlock, k8s.io/api networking/v1
// types.go): addresses in `cidr` and in none of `except`.
import { cidrContains, formatCidr, type ParsedCidr, parseCidr } from '../validation/cidr.ts';
import type { CidrBlock, CidrSet } from './endpoint-policy.ts';

/** A block with its CIDRs parsed, the working form while sets are built. */
export interface ParsedBlock {
  cidr: ParsedCidr;
  except: ParsedCidr[];
}

/**
 * Parsed canonical CIDRs by text. A 10,000-rule policy names each CIDR once per rule, per endpoint
 * it selects and again in the classifier's tables; parsing each text once takes that off the time
 * from bundle to attached programs. Bounded, since the texts come from bundles: cleared when full.
 */
const parsedByText = new Map<string, ParsedCidr>();
const PARSED_CACHE_ENTRIES = 200_000;

/** A canonical CIDR's parsed form (shared: callers must not modify it); throws on invalid text. */
export function mustParse(text: string): ParsedCidr {
  const known = parsedByText.get(text);
  if (known) return known;
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`invalid CIDR ${JSON.stringify(text)}: ${parsed.reason}`);
  if (parsedByText.size >= PARSED_CACHE_ENTRIES) parsedByText.clear();
  parsedByText.set(text, parsed.cidr);
  return parsed.cidr;
}

/** An address as a host prefix (/32 or /128), or null when it is not an address. */
export function parseAddress(text: string): ParsedCidr | null {
  const parsed = parseCidr(`${text}/${text.includes(':') ? 128 : 32}`);
  return parsed.ok ? parsed.cidr : null;
}

/** The IR keeps CIDRs as text (canonical already, but parsing again costs little and checks it). */
export function parseBlock(block: { cidr: string; except: readonly string[] }): ParsedBlock {
  return { cidr: mustParse(block.cidr), except: block.except.map(mustParse) };
}

export function compareCidr(a: ParsedCidr, b: ParsedCidr): number {
  if (a.family !== b.family) return a.family - b.family;
  for (let i = 0; i < a.bytes.length; i++) {
    const d = (a.bytes[i] ?? 0) - (b.bytes[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.prefix - b.prefix;
}

function overlaps(a: ParsedCidr, b: ParsedCidr): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
}

/**
 * Holes that matter, outermost only, sorted; null when a hole covers the whole block (it is empty).
 * Validation keeps excepts strictly inside the cidr; one of another family or outside removes nothing.
 */
function normaliseExcepts(block: ParsedBlock): ParsedCidr[] | null {
  if (block.except.length === 0) return [];
  if (block.except.some((e) => cidrContains(e, block.cidr))) return null;
  const inside = block.except.filter((e) => cidrContains(block.cidr, e)).sort(compareCidr);
  return inside.filter((e, i) => !inside.some((other, j) => j !== i && cidrContains(other, e) && (compareCidr(other, e) !== 0 || j < i)));
}

function blockContains(outer: ParsedBlock, inner: ParsedBlock): boolean {
  // Every address of inner is in outer when inner's range is inside outer's and no hole of outer
  // touches it (inner's own holes only make it smaller).
  return cidrContains(outer.cidr, inner.cidr) && !outer.except.some((e) => overlaps(e, inner.cidr));
}

/** Total order on blocks with sorted holes: by range, then holes (a block without holes first). */
function compareBlock(a: ParsedBlock, b: ParsedBlock): number {
  const byCidr = compareCidr(a.cidr, b.cidr);
  if (byCidr !== 0) return byCidr;
  for (let i = 0; i < Math.min(a.except.length, b.except.length); i++) {
    const d = compareCidr(a.except[i] as ParsedCidr, b.except[i] as ParsedCidr);
    if (d !== 0) return d;
  }
  return a.except.length - b.except.length;
}

/** The canonical union of `blocks`: empty blocks dropped, duplicates and blocks inside another removed, sorted. */
export function normaliseBlocks(blocks: readonly ParsedBlock[]): ParsedBlock[] {
  // one block (a rule naming one address or one pod): nothing to sort or contain
  if (blocks.length === 1) {
    const [block] = blocks as [ParsedBlock];
    const except = normaliseExcepts(block);
    return except ? [{ cidr: block.cidr, except }] : [];
  }
  const tidy: ParsedBlock[] = [];
  for (const block of blocks) {
    const except = normaliseExcepts(block);
    if (except) tidy.push({ cidr: block.cidr, except });
  }
  tidy.sort(compareBlock);
  // Sorted this way, a block's containers come before it, and CIDRs either nest or are disjoint: the
  // ranges still "open" at a block (a stack at most 129 deep) are the only ones that can contain it.
  const kept: ParsedBlock[] = [];
  const open: ParsedBlock[] = [];
  for (const block of tidy) {
    while (open.length > 0 && !cidrContains((open[open.length - 1] as ParsedBlock).cidr, block.cidr)) open.pop();
    if (open.some((other) => compareBlock(other, block) === 0 || blockContains(other, block))) continue;
    kept.push(block);
    open.push(block);
  }
  return kept;
}

/**
 * The parsed form of each block toCidrSet made, by the block object: the classifier and set
 * operations read a set back as parsed blocks, and looking its texts up again (hashing each CIDR
 * string) was most of reading back a 10,000-rule policy's sets. Blocks are values nobody changes.
 */
const parsedBlocks = new WeakMap<CidrBlock, ParsedBlock>();

export function toCidrSet(blocks: readonly ParsedBlock[]): CidrSet {
  return normaliseBlocks(blocks).map((block): CidrBlock => {
    const out: CidrBlock = { family: block.cidr.family, cidr: formatCidr(block.cidr), except: block.except.map(formatCidr) };
    parsedBlocks.set(out, block);
    return out;
  });
}

/** A canonical set's blocks parsed (shared: callers must not modify them). */
export function parseCidrSet(set: CidrSet): ParsedBlock[] {
  return set.map((block) => parsedBlocks.get(block) ?? parseBlock(block));
}

/**
 * A canonical set as one string, e.g. `10.0.0.0/8\10.1.0.0/16 198.18.0.1/32` (a block's holes each
 * after a backslash, blocks apart by spaces): equal sets, equal text. Cheaper than canonical JSON for
 * grouping and hashing sets of thousands of pod addresses.
 */
export function cidrSetText(set: CidrSet): string {
  // one block without holes (a rule naming one address or one pod): its CIDR, without the lists
  if (set.length === 1 && set[0]!.except.length === 0) return set[0]!.cidr;
  return set.map((block) => (block.except.length === 0 ? block.cidr : [block.cidr, ...block.except].join('\\'))).join(' ');
}

/** Union of sets already in canonical form. */
export function unionCidrSets(sets: readonly CidrSet[]): CidrSet {
  return toCidrSet(sets.flatMap(parseCidrSet));
}

export function blockContainsAddress(block: ParsedBlock, address: ParsedCidr): boolean {
  return cidrContains(block.cidr, address) && !block.except.some((e) => cidrContains(e, address));
}

/** The reference meaning of a set: the address is in some block and in none of that block's holes. */
export function cidrSetContains(set: CidrSet, address: ParsedCidr): boolean {
  return parseCidrSet(set).some((block) => blockContainsAddress(block, address));
}
