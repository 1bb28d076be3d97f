// A YAML stream whose documents are each a JSON object or array (what `kubectl get -o json`, the CLI,
// Terraform and scripts send as application/yaml) is read with JSON.parse: the same values, at a
// fraction of the YAML parser's cost (about a tenth of the API's CPU on a small apply). It answers only
// when the JSON reading is certainly the YAML one; anything else is left to the YAML parser
// (read-yaml.ts), which also gives the errors: a document that is not plain JSON, a key written twice
// (JSON.parse keeps the last, the YAML reading refuses it), nesting the YAML reading would refuse.
import { MAX_NESTING_DEPTH } from '../../policy/validation/text.ts';

/** `---` on a line of its own (trailing blanks allowed): YAML's document separator as JSON streams write it. */
const DOCUMENT_SEPARATOR = /^---[ \t]*\r?$/m;

/** The stream's values, or undefined when some document is not certainly read the same as JSON. */
export function jsonDocuments(text: string): unknown[] | undefined {
  const values: unknown[] = [];
  for (const part of text.split(DOCUMENT_SEPARATOR)) {
    const document = part.trim();
    // An empty document is skipped, as the YAML reading skips it.
    if (document === '') continue;
    const value = jsonDocument(document);
    if (value === undefined) return undefined;
    values.push(value);
  }
  return values;
}

function jsonDocument(document: string): unknown {
  const first = document.charCodeAt(0);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) return undefined;
  const keys = writtenKeys(document);
  if (keys === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(document);
  } catch {
    return undefined;
  }
  return keys === keysOf(value) ? value : undefined;
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

/**
 * How many object members the text writes (strings followed by a colon), or undefined when it nests
 * as deep as the YAML reading refuses. One pass, outside strings counting brackets.
 */
function writtenKeys(text: string): number | undefined {
  let keys = 0;
  let depth = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      index++;
      while (index < text.length && text.charCodeAt(index) !== QUOTE) index += text.charCodeAt(index) === BACKSLASH ? 2 : 1;
      let next = index + 1;
      while (next < text.length && isBlank(text.charCodeAt(next))) next++;
      if (text.charCodeAt(next) === COLON) keys++;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (++depth >= MAX_NESTING_DEPTH) return undefined;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) depth--;
  }
  return keys;
}

const isBlank = (code: number) => code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;

/** The members of every object in a parsed value. Iterative: its depth was bounded above anyway. */
function keysOf(value: unknown): number {
  let keys = 0;
  const pending: unknown[] = [value];
  for (let current = pending.pop(); current !== undefined; current = pending.pop()) {
    if (current === null || typeof current !== 'object') continue;
    if (Array.isArray(current)) {
      for (const item of current) pending.push(item);
      continue;
    }
    const members = Object.values(current);
    keys += members.length;
    for (const member of members) pending.push(member);
  }
  return keys;
}
