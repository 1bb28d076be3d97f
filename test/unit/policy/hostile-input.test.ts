// Objects no kind may hold: text Postgres cannot store as written, anywhere (values and keys), and
// nesting deep enough to exhaust a recursive walk. parseObject refuses them with the field's path
// instead of storing a corrupted copy or throwing.
import { describe, expect, it } from 'vitest';
import { parseObject, parsePolicyObject } from '../../../policy/kinds/index.ts';
import { MAX_NESTING_DEPTH, UNSTORABLE_TEXT_REASONS } from '../../../policy/validation/text.ts';
import { deeplyNested } from '../properties/hostile-json.ts';
import { networkPolicy } from './factories.ts';
import { globalPolicy } from './factories-calico.ts';
import { expectIssue } from './parse-helpers.ts';

const NUL = `Invalid value: ${UNSTORABLE_TEXT_REASONS.nul}`;
const LONE_SURROGATE = `Invalid value: ${UNSTORABLE_TEXT_REASONS.loneSurrogate}`;
const TOO_DEEP = `Forbidden: must not nest more than ${MAX_NESTING_DEPTH} levels deep`;

describe('parseObject refuses text Postgres cannot store', () => {
  const cases: [string, unknown, (string | number)[]][] = [
    ['an annotation value', networkPolicy({}, { annotations: { note: 'a\u0000b' } }), ['metadata', 'annotations', 'note']],
    ['a name', networkPolicy({}, { name: 'p\u0000' }), ['metadata', 'name']],
    ['a namespace', networkPolicy({}, { namespace: '\u0000' }), ['metadata', 'namespace']],
    ['a label key', networkPolicy({}, { labels: { 'app\u0000': 'x' } }), ['metadata', 'labels', 'app\u0000']],
    ['a matchLabels value', networkPolicy({ podSelector: { matchLabels: { app: 'a\u0000' } } }), ['spec', 'podSelector', 'matchLabels', 'app']],
    ['a Calico selector', globalPolicy({ selector: "app == 'a\u0000'" }), ['spec', 'selector']],
    ['a field the schema discards', networkPolicy({}, { managedFields: [{ manager: '\u0000' }] }), ['metadata', 'managedFields', 0, 'manager']],
    ['an unknown field', networkPolicy({ extra: { deep: '\u0000' } }), ['spec', 'extra', 'deep']],
    ['the kind', { ...networkPolicy(), kind: 'Network\u0000Policy' }, ['kind']],
  ];
  for (const [where, object, path] of cases) {
    it(`holding NUL in ${where}, at its path`, () => {
      expect(parseObject(object)).toEqual({ ok: false, issues: [{ path, message: expect.stringMatching(/U\+0000/) }] });
    });
  }

  it('holding NUL in a value or a key, saying which', () => {
    expectIssue(networkPolicy({}, { annotations: { note: 'a\u0000b' } }), ['metadata', 'annotations', 'note'], NUL);
    expectIssue(
      networkPolicy({}, { annotations: { 'n\u0000te': 'b' } }),
      ['metadata', 'annotations', 'n\u0000te'],
      `Invalid value: field name ${UNSTORABLE_TEXT_REASONS.nul}`,
    );
  });

  it('holding a lone surrogate, high or low, at its path', () => {
    expectIssue(networkPolicy({}, { annotations: { note: 'smile \uD83D' } }), ['metadata', 'annotations', 'note'], LONE_SURROGATE);
    expectIssue(
      networkPolicy({ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['\uDE00'] }] } }),
      ['spec', 'podSelector', 'matchExpressions', 0, 'values', 0],
      LONE_SURROGATE,
    );
  });

  it('through parsePolicyObject too', () => {
    expect(parsePolicyObject(networkPolicy({}, { annotations: { note: '\u0000' } }))).toEqual({
      ok: false,
      issues: [{ path: ['metadata', 'annotations', 'note'], message: NUL }],
    });
  });

  it('but accepts any well-formed text where the field allows it', () => {
    const result = parseObject(networkPolicy({}, { annotations: { note: 'naïve 名前 \u{1F600} \uFFFD' } }));
    expect(result).toMatchObject({ ok: true, object: { metadata: { annotations: { note: 'naïve 名前 \u{1F600} \uFFFD' } } } });
  });
});

describe('parseObject refuses nesting past the bound, without throwing', () => {
  const cases: [string, (deep: unknown) => unknown, (string | number)[]][] = [
    ['spec', (deep) => networkPolicy({ podSelector: deep }), ['spec', 'podSelector']],
    ['a discarded metadata field', (deep) => networkPolicy({}, { managedFields: deep }), ['metadata', 'managedFields']],
    ['an ingress rule', (deep) => networkPolicy({ ingress: [{ from: deep }] }), ['spec', 'ingress', 0, 'from']],
    ['the kind', (deep) => ({ ...networkPolicy(), kind: deep }), ['kind']],
    ['a Calico rule', (deep) => globalPolicy({ ingress: [{ action: 'Allow', source: deep }] }), ['spec', 'ingress', 0, 'source']],
  ];
  for (const [where, make, path] of cases) {
    it(`in ${where}: 10,000 nested arrays or objects`, () => {
      for (const deep of [deeplyNested(10_000, 'array'), deeplyNested(10_000, 'object')]) {
        const result = parseObject(make(deep));
        expect(result.ok).toBe(false);
        if (result.ok) continue;
        expect(result.issues).toHaveLength(1);
        expect(result.issues[0]?.message).toBe(TOO_DEEP);
        expect(result.issues[0]?.path.slice(0, path.length)).toEqual(path);
        expect(result.issues[0]?.path).toHaveLength(MAX_NESTING_DEPTH);
      }
    });
  }

  it('and leaves nesting a person writes to the schema', () => {
    expect(parseObject(networkPolicy({}, { managedFields: deeplyNested(20, 'object') }))).toMatchObject({ ok: true });
  });
});
