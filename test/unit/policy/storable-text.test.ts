// Text Postgres cannot store as written (NUL, lone surrogates) and values nested past the bound are
// found with the path that names them, whatever the value's shape or depth.
import { describe, expect, it } from 'vitest';
import { findUnstorableValue, MAX_NESTING_DEPTH, UNSTORABLE_TEXT_REASONS, unstorableTextReason } from '../../../policy/validation/text.ts';
import { deeplyNested } from '../properties/hostile-json.ts';

describe('unstorableTextReason', () => {
  it('accepts any well-formed text, astral characters included', () => {
    for (const text of ['', 'plain', 'é', '名前', '\u{1F600}', 'tab\tand\nnewline', '\u{10FFFF}', '\uFFFD']) {
      expect(unstorableTextReason(text), JSON.stringify(text)).toBeUndefined();
    }
  });

  it('refuses NUL anywhere in the text', () => {
    for (const text of ['\u0000', 'a\u0000', '\u0000b', 'a\u0000b']) expect(unstorableTextReason(text)).toBe(UNSTORABLE_TEXT_REASONS.nul);
  });

  it('refuses a high or low surrogate without its other half', () => {
    const high = '\uD83D';
    const low = '\uDE00';
    for (const text of [high, low, `a${high}`, `${low}a`, `${low}${high}`, `\u{1F600}${high}`, `${high}${high}${low}`]) {
      expect(unstorableTextReason(text), JSON.stringify(text)).toBe(UNSTORABLE_TEXT_REASONS.loneSurrogate);
    }
  });
});

describe('findUnstorableValue', () => {
  it('passes values whose text is all storable', () => {
    expect(findUnstorableValue({ a: [1, true, null, { é: '\u{1F600}' }], b: 'x' })).toBeUndefined();
    expect(findUnstorableValue('text')).toBeUndefined();
    expect(findUnstorableValue(42)).toBeUndefined();
  });

  it('names the field of an unstorable value, through objects and arrays', () => {
    expect(findUnstorableValue({ metadata: { annotations: { note: 'a\u0000b' } } })).toEqual({
      path: ['metadata', 'annotations', 'note'],
      message: `Invalid value: ${UNSTORABLE_TEXT_REASONS.nul}`,
    });
    expect(findUnstorableValue({ spec: { ingress: [{}, { from: ['ok', '\uD800'] }] } })).toEqual({
      path: ['spec', 'ingress', 1, 'from', 1],
      message: `Invalid value: ${UNSTORABLE_TEXT_REASONS.loneSurrogate}`,
    });
    expect(findUnstorableValue('\u0000')).toMatchObject({ path: [] });
  });

  it('names an unstorable key by its own path, and says it is the field name', () => {
    expect(findUnstorableValue({ metadata: { labels: { 'a\u0000': 'v' } } })).toEqual({
      path: ['metadata', 'labels', 'a\u0000'],
      message: `Invalid value: field name ${UNSTORABLE_TEXT_REASONS.nul}`,
    });
  });

  it('reports the first problem in document order', () => {
    expect(findUnstorableValue({ a: { b: ['ok', '\u0000'] }, c: '\u0000' })?.path).toEqual(['a', 'b', 1]);
    expect(findUnstorableValue([['\uDC00'], '\u0000'])?.path).toEqual([0, 0]);
  });

  it('accepts nesting up to the bound and refuses the first level past it, at its path', () => {
    expect(findUnstorableValue(deeplyNested(MAX_NESTING_DEPTH, 'array'))).toBeUndefined();
    const tooDeep = findUnstorableValue(deeplyNested(MAX_NESTING_DEPTH + 1, 'array'));
    expect(tooDeep).toEqual({
      path: new Array(MAX_NESTING_DEPTH).fill(0),
      message: `Forbidden: must not nest more than ${MAX_NESTING_DEPTH} levels deep`,
    });
    expect(findUnstorableValue({ a: { b: {} } }, 2)).toEqual({ path: ['a', 'b'], message: 'Forbidden: must not nest more than 2 levels deep' });
    expect(findUnstorableValue({ a: { b: 'leaf' } }, 2)).toBeUndefined();
  });

  it('walks 100,000 levels and a cycle without overflowing the stack', () => {
    expect(findUnstorableValue(deeplyNested(100_000, 'array'))?.path).toHaveLength(MAX_NESTING_DEPTH);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(findUnstorableValue(cyclic)?.path).toHaveLength(MAX_NESTING_DEPTH);
  });
});
