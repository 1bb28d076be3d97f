// Calico's selector grammar (libcalico-go lib/selector/parser), by recursive descent:
//
//   selector  := <empty> | or
//   or        := and ( "||" and )*
//   and       := unary ( "&&" unary )*
//   unary     := "!"* primary              (an even number of "!" cancels out)
//   primary   := "all()" | "global()" | "has(" key ")" | "(" or ")"
//              | key ( "==" | "!=" | "contains" | "starts with" | "ends with" ) string
//              | key ( "in" | "not in" ) "{" [ string ( "," string )* [","] ] "}"
//
// An empty selector (or only whitespace) is `all()`, as in Calico. Errors name the 1-based column of
// the token where the input went wrong and what was expected there.
import { type CalicoNode, type CompareOp, SelectorSyntaxError, type SetOp } from './ast.ts';
import { describeToken, type Token, type TokenKind, tokenize } from './lexer.ts';

/** Deep enough for any selector a person writes; bounded so a hostile one cannot exhaust the stack. */
export const MAX_SELECTOR_DEPTH = 64;

const COMPARE_OPS: Partial<Record<TokenKind, CompareOp>> = {
  eq: 'eq',
  neq: 'neq',
  contains: 'contains',
  startsWith: 'startsWith',
  endsWith: 'endsWith',
};
const SET_OPS: Partial<Record<TokenKind, SetOp>> = { in: 'in', notIn: 'notIn' };

class Parser {
  private position = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.position] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.position++;
    return token;
  }

  private fail(token: Token, expected: string): never {
    throw new SelectorSyntaxError(token.column, `${expected}, found ${describeToken(token)}`);
  }

  parseSelector(): CalicoNode {
    const first = this.peek();
    if (first.kind === 'eof') return { type: 'all', column: first.column };
    const node = this.parseOr();
    const rest = this.peek();
    if (rest.kind !== 'eof') this.fail(rest, 'expected "&&", "||" or the end of the selector');
    return node;
  }

  private parseOr(): CalicoNode {
    const first = this.parseAnd();
    const args = [first];
    while (this.peek().kind === 'or') {
      this.next();
      args.push(this.parseAnd());
    }
    return args.length === 1 ? first : { type: 'or', args, column: first.column };
  }

  private parseAnd(): CalicoNode {
    const first = this.parseUnary();
    const args = [first];
    while (this.peek().kind === 'and') {
      this.next();
      args.push(this.parseUnary());
    }
    return args.length === 1 ? first : { type: 'and', args, column: first.column };
  }

  private parseUnary(): CalicoNode {
    const start = this.peek();
    let negated = false;
    while (this.peek().kind === 'not') {
      this.next();
      negated = !negated;
    }
    const operand = this.parsePrimary();
    return negated ? { type: 'not', arg: operand, column: start.column } : operand;
  }

  private parsePrimary(): CalicoNode {
    const token = this.next();
    switch (token.kind) {
      case 'all':
        return { type: 'all', column: token.column };
      case 'global':
        return { type: 'global', column: token.column };
      case 'has':
        return { type: 'has', key: token.value, column: token.column };
      case 'label':
        return this.parseComparison(token);
      case 'lparen':
        return this.parseGroup(token);
      default:
        return this.fail(token, 'expected a selector expression');
    }
  }

  private parseGroup(open: Token): CalicoNode {
    if (++this.depth > MAX_SELECTOR_DEPTH) {
      throw new SelectorSyntaxError(open.column, `parentheses nested more than ${MAX_SELECTOR_DEPTH} deep`);
    }
    const inner = this.parseOr();
    const close = this.next();
    if (close.kind !== 'rparen') this.fail(close, `expected ")" to close the "(" at column ${open.column}`);
    this.depth--;
    return inner;
  }

  private parseComparison(key: Token): CalicoNode {
    const operator = this.next();
    const compare = COMPARE_OPS[operator.kind];
    if (compare) {
      const value = this.next();
      if (value.kind !== 'string') this.fail(value, `expected a string after "${operator.value}"`);
      return { type: 'compare', op: compare, key: key.value, value: value.value, column: key.column };
    }
    const set = SET_OPS[operator.kind];
    if (set) return { type: 'set', op: set, key: key.value, values: this.parseSet(operator), column: key.column };
    return this.fail(operator, `expected an operator (==, !=, in, not in, contains, starts with, ends with) after the label key ${JSON.stringify(key.value)}`);
  }

  /** `{ "a", "b" }`: empty sets and a trailing comma are allowed, as in Calico. */
  private parseSet(operator: Token): string[] {
    const open = this.next();
    if (open.kind !== 'lbrace') this.fail(open, `expected "{" after "${operator.value}"`);
    const values: string[] = [];
    for (;;) {
      const token = this.next();
      if (token.kind === 'rbrace') return values;
      if (token.kind !== 'string') this.fail(token, 'expected a string or "}" in the set');
      values.push(token.value);
      const separator = this.next();
      if (separator.kind === 'rbrace') return values;
      if (separator.kind !== 'comma') this.fail(separator, 'expected "," or "}" after a set value');
    }
  }
}

/** Parses a Calico selector into its syntax tree; throws SelectorSyntaxError. */
export function parseCalicoSyntax(text: string): CalicoNode {
  return new Parser(tokenize(text)).parseSelector();
}
