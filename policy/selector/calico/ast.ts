// The syntax tree of a Calico selector, before it becomes an IR Selector. It keeps `global()` and
// source columns, which the IR has no place for: whether `global()` is allowed, and what `all()`
// means, depend on where the selector is written (./to-ir.ts).

export type CompareOp = 'eq' | 'neq' | 'contains' | 'startsWith' | 'endsWith';
export type SetOp = 'in' | 'notIn';

/** `column` is 1-based: where the node's first token starts in the selector text. */
export type CalicoNode =
  | { type: 'all'; column: number }
  | { type: 'global'; column: number }
  | { type: 'has'; key: string; column: number }
  | { type: 'compare'; op: CompareOp; key: string; value: string; column: number }
  | { type: 'set'; op: SetOp; key: string; values: string[]; column: number }
  | { type: 'not'; arg: CalicoNode; column: number }
  | { type: 'and' | 'or'; args: CalicoNode[]; column: number };

/** A malformed selector: where (1-based column) and what was expected there. */
export class SelectorSyntaxError extends Error {
  constructor(
    readonly column: number,
    readonly detail: string,
  ) {
    super(`column ${column}: ${detail}`);
    this.name = 'SelectorSyntaxError';
  }
}
