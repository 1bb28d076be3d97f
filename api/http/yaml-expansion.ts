// What a parsed YAML document expands to, measured on its syntax tree before anything is built from
// it. An alias costs nothing to write and its whole target to build: a 435 KB body of one anchored
// rule and 99 aliases of it stored 37 MB and held the process for half a minute. The walk visits each
// node of the tree once, remembering what every collection expands to, so an alias costs the size of
// its target in one lookup; it refuses, at the node's position, what the JSON a request may carry
// cannot hold (an undefined or self-containing alias, a collection as a mapping key, a tag beyond
// JSON's types) and what would cost too much to build (too many aliases, too deep, too large).
import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type Node } from 'yaml';
import { MAX_NESTING_DEPTH } from '../../policy/validation/text.ts';

/** As many as the yaml library allows by default in toJS: enough for any hand-written reuse. */
export const MAX_ALIASES_PER_DOCUMENT = 100;

/**
 * Expanded nodes (scalars and collections, counted after aliases are replaced by their targets) a
 * body may build, per character of the body, with a floor for small bodies. Without aliases a body
 * holds at most one node per two characters ("1,"), and ordinary YAML one per eight or more, so one
 * node per character lets anchors repeat a block several times over while capping what an alias
 * can make of a body at a small multiple of its size: memory and time follow what was sent.
 */
export const EXPANDED_NODES_PER_BODY_CHARACTER = 1;
export const MIN_EXPANDED_NODE_ALLOWANCE = 10_000;

export function expandedNodeAllowance(bodyCharacters: number): number {
  return Math.max(MIN_EXPANDED_NODE_ALLOWANCE, bodyCharacters * EXPANDED_NODES_PER_BODY_CHARACTER);
}

/** The tags whose values JSON holds; any other (!!binary, !!set, !custom) is refused. */
const JSON_TAGS = new Set(['!', ...['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((name) => `tag:yaml.org,2002:${name}`)]);

/** Why a document was refused, and where: the offset of the node in the body. */
export interface ExpansionRefusal {
  message: string;
  offset: number;
}

interface Expansion {
  nodes: number;
  depth: number;
}

/** What the document expands to, or why it must not be built. */
export function measureExpansion(document: Document.Parsed): { ok: true; nodes: number } | { ok: false; refusal: ExpansionRefusal } {
  const expanded = new Map<Node, Expansion>();
  const open = new Set<Node>();
  // Anchors met so far in document order, a later one replacing an earlier one of the same name as
  // YAML says (the library's Alias.resolve walks the whole document per alias instead).
  const anchors = new Map<string, Node>();
  let aliases = 0;

  const refuse = (message: string, node: Node): never => {
    throw new Refused({ message, offset: node.range?.[0] ?? 0 });
  };

  // Recursive, but never deeper than MAX_NESTING_DEPTH + 1 frames: the tree's depth is checked on the way down.
  const measure = (node: unknown, depth: number): Expansion => {
    if (node === null || node === undefined) return { nodes: 1, depth: 0 };
    if (isAlias(node)) {
      aliases += 1;
      if (aliases > MAX_ALIASES_PER_DOCUMENT) refuse(`more than ${MAX_ALIASES_PER_DOCUMENT} aliases in one document`, node);
      const target = anchors.get(node.source);
      if (!target) return refuse(`alias *${node.source} names no anchor defined before it`, node);
      if (open.has(target)) refuse(`alias *${node.source} refers to a collection that contains it`, node);
      return expanded.get(target) ?? { nodes: 1, depth: 0 };
    }
    if (!isScalar(node) && !isMap(node) && !isSeq(node)) return refuse('unsupported YAML node', node as Node);
    if (node.tag !== undefined && !JSON_TAGS.has(node.tag)) refuse(`tag ${node.tag} has no JSON value`, node);
    if (node.anchor) anchors.set(node.anchor, node);
    if (isScalar(node)) return { nodes: 1, depth: 0 };
    if (depth >= MAX_NESTING_DEPTH) refuse(`nests more than ${MAX_NESTING_DEPTH} levels deep`, node);
    open.add(node);
    const total: Expansion = { nodes: 1, depth: 1 };
    const add = (child: Expansion) => {
      total.nodes += child.nodes;
      total.depth = Math.max(total.depth, child.depth + 1);
    };
    for (const item of node.items as unknown[]) {
      if (isPair(item)) {
        const key = isAlias(item.key) ? anchors.get(item.key.source) : item.key;
        if (key !== null && key !== undefined && !isScalar(key)) refuse('a mapping key must be a scalar', item.key as Node);
        add(measure(item.key, depth + 1));
        add(measure(item.value, depth + 1));
      } else add(measure(item, depth + 1));
    }
    open.delete(node);
    // Aliases make the built value deeper than the tree: bounded here too.
    if (total.depth > MAX_NESTING_DEPTH) refuse(`expands to more than ${MAX_NESTING_DEPTH} levels deep`, node);
    expanded.set(node, total);
    return total;
  };

  try {
    return { ok: true, nodes: measure(document.contents, 0).nodes };
  } catch (error) {
    if (error instanceof Refused) return { ok: false, refusal: error.refusal };
    throw error;
  }
}

/** Unwinds the walk at the first refusal; never leaves this module. */
class Refused extends Error {
  constructor(readonly refusal: ExpansionRefusal) {
    super(refusal.message);
  }
}
