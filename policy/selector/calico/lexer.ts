// Tokens of Calico's selector language, as libcalico-go's tokenizer (lib/selector/tokenizer) cuts
// them: whitespace is only space and tab; strings are single- or double-quoted with no escapes; label
// keys are runs of [A-Za-z0-9_./-]; `has(`, `all(` and `global(` are recognised only with the
// parenthesis attached; the word operators (in, not in, contains, starts with, ends with) are
// recognised only right after a label key, so a key may itself be called `in` or `contains`.
import { SelectorSyntaxError } from './ast.ts';

export type TokenKind =
  | 'label'
  | 'string'
  | 'lbrace'
  | 'rbrace'
  | 'comma'
  | 'eq'
  | 'neq'
  | 'in'
  | 'notIn'
  | 'contains'
  | 'startsWith'
  | 'endsWith'
  | 'not'
  | 'and'
  | 'or'
  | 'lparen'
  | 'rparen'
  | 'has'
  | 'all'
  | 'global'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** The label key, string contents or has() key; otherwise the text as written. */
  value: string;
  column: number;
}

const WHITESPACE = new Set([' ', '\t']);
const KEY_CHAR = /[A-Za-z0-9_./-]/;

/** Operators spelled as words, longest first; a space or tab may separate the two words. */
const WORD_OPERATORS: readonly { words: readonly string[]; kind: TokenKind }[] = [
  { words: ['starts', 'with'], kind: 'startsWith' },
  { words: ['ends', 'with'], kind: 'endsWith' },
  { words: ['not', 'in'], kind: 'notIn' },
  { words: ['contains'], kind: 'contains' },
  { words: ['in'], kind: 'in' },
];

/** How a token reads in an error message. */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'eof':
      return 'the end of the selector';
    case 'string':
      return `the string ${JSON.stringify(token.value)}`;
    case 'label':
      return `the label key ${JSON.stringify(token.value)}`;
    case 'has':
      return `"has(${token.value})"`;
    default:
      return JSON.stringify(token.value);
  }
}

class Scanner {
  index = 0;
  constructor(readonly text: string) {}

  get column(): number {
    return this.index + 1;
  }

  skipWhitespace(): void {
    while (this.index < this.text.length && WHITESPACE.has(this.text[this.index] as string)) this.index++;
  }

  startsWith(prefix: string): boolean {
    return this.text.startsWith(prefix, this.index);
  }

  /** A label key at the current position, or '' when none starts here. */
  key(): string {
    let end = this.index;
    while (end < this.text.length && KEY_CHAR.test(this.text[end] as string)) end++;
    return this.text.slice(this.index, end);
  }

  /** True when `word` starts here and is not the start of a longer key. */
  word(word: string): boolean {
    if (!this.startsWith(word)) return false;
    const next = this.text[this.index + word.length];
    return next === undefined || !KEY_CHAR.test(next);
  }
}

/** `words` at the scanner's position (spaces or tabs between them); advances past them on success. */
function matchWords(scanner: Scanner, words: readonly string[]): boolean {
  const start = scanner.index;
  for (const [i, word] of words.entries()) {
    if (i > 0) scanner.skipWhitespace();
    // Calico reads "startswith" as "starts with" too: only the last word must end at a boundary.
    const matched = i === words.length - 1 ? scanner.word(word) : scanner.startsWith(word);
    if (!matched) {
      scanner.index = start;
      return false;
    }
    scanner.index += word.length;
  }
  return true;
}

function lexString(scanner: Scanner): Token {
  const column = scanner.column;
  const quote = scanner.text[scanner.index] as string;
  const end = scanner.text.indexOf(quote, scanner.index + 1);
  if (end === -1) throw new SelectorSyntaxError(column, `unterminated string: no closing ${quote}`);
  const value = scanner.text.slice(scanner.index + 1, end);
  scanner.index = end + 1;
  return { kind: 'string', value, column };
}

/** `has(key)`, `all()` or `global()`: the caller saw the name and its parenthesis. */
function lexCall(scanner: Scanner, name: 'has' | 'all' | 'global'): Token {
  const column = scanner.column;
  scanner.index += name.length + 1;
  scanner.skipWhitespace();
  let value = `${name}()`;
  if (name === 'has') {
    const key = scanner.key();
    if (key === '') throw new SelectorSyntaxError(scanner.column, 'expected a label key after "has("');
    scanner.index += key.length;
    scanner.skipWhitespace();
    value = key;
  }
  if (!scanner.startsWith(')')) {
    const after = name === 'has' ? `"has(${value}"` : `"${name}("`;
    throw new SelectorSyntaxError(scanner.column, `expected ")" after ${after}`);
  }
  scanner.index += 1;
  return { kind: name, value, column };
}

const SYMBOLS: Readonly<Record<string, TokenKind>> = { '(': 'lparen', ')': 'rparen', '{': 'lbrace', '}': 'rbrace', ',': 'comma' };
const PAIRS: Readonly<Record<string, TokenKind>> = { '==': 'eq', '!=': 'neq', '&&': 'and', '||': 'or' };

export function tokenize(text: string): Token[] {
  const scanner = new Scanner(text);
  const tokens: Token[] = [];
  for (;;) {
    scanner.skipWhitespace();
    const column = scanner.column;
    if (scanner.index >= text.length) {
      tokens.push({ kind: 'eof', value: '', column });
      return tokens;
    }
    const char = text[scanner.index] as string;
    const pair = text.slice(scanner.index, scanner.index + 2);
    const previous = tokens[tokens.length - 1];

    if (SYMBOLS[char]) {
      tokens.push({ kind: SYMBOLS[char], value: char, column });
      scanner.index += 1;
    } else if (char === '"' || char === "'") {
      tokens.push(lexString(scanner));
    } else if (PAIRS[pair]) {
      tokens.push({ kind: PAIRS[pair], value: pair, column });
      scanner.index += 2;
    } else if (char === '!') {
      tokens.push({ kind: 'not', value: '!', column });
      scanner.index += 1;
    } else if (char === '=' || char === '&' || char === '|') {
      throw new SelectorSyntaxError(column, `expected "${char}${char}", found "${char}" alone`);
    } else if (previous?.kind === 'label') {
      const operator = WORD_OPERATORS.find((op) => matchWords(scanner, op.words));
      if (!operator) {
        const key = scanner.key();
        const found = key === '' ? JSON.stringify(char) : `the label key ${JSON.stringify(key)}`;
        throw new SelectorSyntaxError(
          column,
          `expected an operator (==, !=, in, not in, contains, starts with, ends with) after the label key ${JSON.stringify(previous.value)}, found ${found}`,
        );
      }
      tokens.push({ kind: operator.kind, value: operator.words.join(' '), column });
    } else if (scanner.startsWith('has(')) {
      tokens.push(lexCall(scanner, 'has'));
    } else if (scanner.startsWith('all(')) {
      tokens.push(lexCall(scanner, 'all'));
    } else if (scanner.startsWith('global(')) {
      tokens.push(lexCall(scanner, 'global'));
    } else {
      const key = scanner.key();
      if (key === '') throw new SelectorSyntaxError(column, `unexpected character ${JSON.stringify(char)}`);
      tokens.push({ kind: 'label', value: key, column });
      scanner.index += key.length;
    }
  }
}
