// Calico's selector language: parse (to the IR Selector, for a given place) and print.
import type { Selector } from '../../ir.ts';
import { SelectorSyntaxError } from './ast.ts';
import { parseCalicoSyntax } from './parser.ts';
import { calicoSyntaxToSelector, type SelectorScope } from './to-ir.ts';

export { printCalicoSelector } from './printer.ts';
export type { SelectorScope } from './to-ir.ts';

export type CalicoSelectorResult = { ok: true; selector: Selector } | { ok: false; column: number; message: string };

/**
 * Parses a Calico selector for the place it is written in (`labels` unless said otherwise). On failure,
 * `message` reads "column N: <what was expected>".
 */
export function parseCalicoSelector(text: string, scope: SelectorScope = 'labels'): CalicoSelectorResult {
  try {
    return { ok: true, selector: calicoSyntaxToSelector(parseCalicoSyntax(text), scope) };
  } catch (error) {
    if (error instanceof SelectorSyntaxError) return { ok: false, column: error.column, message: error.message };
    throw error;
  }
}

/** For text that validation accepted already; a failure here is a bug, not user input. */
export function calicoSelector(text: string, scope: SelectorScope = 'labels'): Selector {
  const result = parseCalicoSelector(text, scope);
  if (!result.ok) throw new Error(`invariant: selector ${JSON.stringify(text)} passed validation but does not parse: ${result.message}`);
  return result.selector;
}
