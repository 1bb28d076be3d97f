// An IR Selector written in Calico's selector syntax, for explain output, the console and tests.
// Parsing the printed text (in the `labels` scope) gives the same IR back. Conjunctions and
// disjunctions below the top are parenthesised, as Calico's own printer does.
import type { Selector } from '../../ir.ts';

/** Calico strings have no escapes: double quotes unless the value holds one. */
function quote(value: string): string {
  if (!value.includes('"')) return `"${value}"`;
  if (!value.includes("'")) return `'${value}'`;
  throw new Error(`a Calico selector cannot hold a value with both quote characters: ${JSON.stringify(value)}`);
}

const COMPARE_SYNTAX = {
  eq: '==',
  neq: '!=',
  contains: 'contains',
  startsWith: 'starts with',
  endsWith: 'ends with',
} as const;

function print(selector: Selector, nested: boolean): string {
  switch (selector.op) {
    case 'all':
      return 'all()';
    case 'none':
      return '!all()';
    case 'has':
      return `has(${selector.key})`;
    case 'notHas':
      return `!has(${selector.key})`;
    case 'eq':
    case 'neq':
    case 'contains':
    case 'startsWith':
    case 'endsWith':
      return `${selector.key} ${COMPARE_SYNTAX[selector.op]} ${quote(selector.value)}`;
    case 'in':
    case 'notIn':
      return `${selector.key} ${selector.op === 'in' ? 'in' : 'not in'} {${selector.values.map(quote).join(', ')}}`;
    case 'not': {
      // "!" binds to one whole operation in Calico, but parentheses make that plain to a reader.
      const arg = print(selector.arg, true);
      return selector.arg.op === 'and' || selector.arg.op === 'or' ? `!${arg}` : `!(${arg})`;
    }
    case 'and':
    case 'or': {
      // The identity elements: an empty conjunction holds, an empty disjunction does not.
      if (selector.args.length === 0) return selector.op === 'and' ? 'all()' : '!all()';
      if (selector.args.length === 1) return print(selector.args[0] as Selector, nested);
      const text = selector.args.map((arg) => print(arg, true)).join(selector.op === 'and' ? ' && ' : ' || ');
      return nested ? `(${text})` : text;
    }
  }
}

export function printCalicoSelector(selector: Selector): string {
  return print(selector, false);
}
