// YAML bodies: whatever the text, the reader gives JSON values or an ApiError naming where and why,
// never the library's own exception; aliases cost what they expand to, measured before building.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../api/errors/api-error.ts';
import { readYamlValues } from '../../../api/http/read-yaml.ts';
import { MAX_ALIASES_PER_DOCUMENT, MIN_EXPANDED_NODE_ALLOWANCE } from '../../../api/http/yaml-expansion.ts';

function refusal(text: string): ApiError {
  try {
    readYamlValues(text);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('accepted');
}

const aliases = (n: number) => Array.from({ length: n }, () => '*a').join(', ');

describe('readYamlValues', () => {
  it('reads documents, skipping empty ones, with anchors reused a few times', () => {
    expect(readYamlValues('a: &x {b: 1}\nc: *x\n---\n# nothing\n---\nd: [1, 2]\n')).toEqual([{ a: { b: 1 }, c: { b: 1 } }, { d: [1, 2] }]);
    expect(readYamlValues('')).toEqual([]);
  });

  it.each([
    ['an undefined alias', 'a: 1\nb: *nope\n', 'line 2, column 4', 'names no anchor'],
    ['an alias used before its anchor', 'a: *x\nb: &x 1\n', 'line 1, column 4', 'names no anchor'],
    ['one alias over the alias limit', `a: &a 1\nb: [${aliases(MAX_ALIASES_PER_DOCUMENT + 1)}]\n`, 'line 2', 'aliases'],
    [
      'merge keys past the alias limit',
      `a: &a {x: 1}\n${Array.from({ length: 150 }, (_, i) => `b${i}: {<<: *a}`).join('\n')}\n`,
      'line 102, column 12',
      'aliases',
    ],
    ['an alias inside its own anchor', 'a: &a [1, *a]\n', 'line 1, column 11', 'contains it'],
    ['a binary tag', 'a: !!binary aGVsbG8=\n', 'line 1, column 13', 'tag'],
    ['a custom tag', 'a: !thing x\n', 'line 1, column 11', 'tag'],
    ['a collection as a key', '? [k]\n: v\n', 'line 1, column 3', 'scalar'],
    ['nesting past the bound', `${'['.repeat(4_000)}${']'.repeat(4_000)}`, 'line 1', ''],
    ['aliases nesting past the bound', `a: &a ${'['.repeat(40)}1${']'.repeat(40)}\nb: ${'['.repeat(40)}*a${']'.repeat(40)}\n`, 'line 2', 'levels deep'],
    ['a syntax error in the second document', 'a: 1\n---\nb: [unclosed\n', 'document 2', ''],
  ])('answers 400 naming the place for %s', (_, text, where, why) => {
    const error = refusal(text);
    expect(error.status).toBe(400);
    expect(error.message).toContain(where);
    expect(error.message).toContain(why);
  });

  it('refuses a billion laughs inside the alias limit with 413', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 9; level++)
      levels.push(
        `${String.fromCharCode(97 + level)}: &${String.fromCharCode(97 + level)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + level)}`)
          .join(', ')}]`,
      );
    const error = refusal(`${levels.join('\n')}\n`);
    expect(error.status).toBe(413);
    expect(error.details.limit).toBe('yamlExpandedNodes');
  });

  it('refuses one large anchored rule repeated by 99 aliases (the amplification of issue 10), before building it', () => {
    const peers = Array.from({ length: 10_000 }, (_, i) => `      - ipBlock: {cidr: 10.${i >> 8}.${i & 255}.0/24}`).join('\n');
    const rules = Array.from({ length: 99 }, () => '    - from: *p').join('\n');
    const body = `spec:\n  ingress:\n    - from: &p\n${peers}\n${rules}\n`;
    const error = refusal(body);
    expect(error.status).toBe(413);
    expect(error.message).toContain(`${body.length} characters`);
  });

  it('accepts repetition the allowance leaves room for', () => {
    const block = Array.from({ length: 200 }, (_, i) => `  k${i}: v`).join('\n');
    const values = readYamlValues(`a: &a\n${block}\nb: [${aliases(20)}]\n`);
    expect(Object.keys((values[0] as { a: object }).a)).toHaveLength(200);
    expect(MIN_EXPANDED_NODE_ALLOWANCE).toBeGreaterThan(200 * 2 * 21);
  });
});
