// Where in the YAML a problem+json error points: the API names fields by path (`0.spec.ingress.0.ports`,
// led by the document's index for a multi-document apply); this finds that field in the text the
// member typed, with the `yaml` package's parsed nodes and their source ranges, so the editor can mark
// the line. A path into something the text lacks (a required field left out) lands on its deepest
// existing parent, which is where the field belongs.
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from 'yaml';

export interface FieldProblem {
  path: string;
  message: string;
}

export interface LocatedProblem extends FieldProblem {
  /** 1-based line of the field, and the character range to underline. */
  line: number;
  from: number;
  to: number;
}

type Range = [number, number];

function rangeOf(node: unknown): Range | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? [range[0], range[1]] : undefined;
}

/** The range of the deepest node the path reaches: a map key for a named field, an item for an index. */
function locate(root: Node | null, segments: string[]): Range | undefined {
  let node: unknown = root;
  let found = rangeOf(root);
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === segment);
      if (!pair) break;
      found = rangeOf(pair.key) ?? found;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)];
      if (item === undefined || !/^\d+$/.test(segment)) break;
      found = rangeOf(item) ?? found;
      node = item;
    } else {
      break;
    }
  }
  return found;
}

/**
 * Locates each problem in the text. `documentIndexed`: paths start with the document's index (apply);
 * otherwise they are paths into the first document (create, replace).
 */
export function locateProblems(text: string, problems: readonly FieldProblem[], documentIndexed: boolean): LocatedProblem[] {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter });
  const list = Array.isArray(documents) ? documents : [];
  return problems.map((problem) => {
    const segments = problem.path === '' ? [] : problem.path.split('.');
    const documentIndex = documentIndexed && segments.length > 0 && /^\d+$/.test(segments[0]!) ? Number(segments.shift()) : 0;
    const document = list[documentIndex];
    const range = document ? (locate(document.contents, segments) ?? rangeOf(document.contents)) : undefined;
    const [from, to] = range ?? [0, Math.min(text.length, Math.max(1, text.indexOf('\n')))];
    return { ...problem, from, to: Math.max(to, from), line: lineCounter.linePos(from).line };
  });
}

/** Syntax errors of the YAML itself, located, before anything is sent. */
export function yamlSyntaxProblems(text: string): LocatedProblem[] {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter });
  const list = Array.isArray(documents) ? documents : [];
  return list.flatMap((document) =>
    document.errors.map((error) => ({
      path: '',
      message: error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
      from: error.pos[0],
      to: Math.max(error.pos[1], error.pos[0]),
      line: lineCounter.linePos(error.pos[0]).line,
    })),
  );
}
