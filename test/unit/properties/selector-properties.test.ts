// The selector languages under arbitrary and near-miss input: Calico's parser answers with a selector
// or a column and a message, never an exception, and printing what it parsed parses back to the same
// selector; a Kubernetes LabelSelector validates to issues or to a selector that converts to IR, and
// its stored form means the same. The IR printer round-trips meaning: same matches for any labels.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Selector } from '../../../policy/ir.ts';
import { labelSelectorSchema, toStoredLabelSelector } from '../../../policy/kinds/shared/label-selector.ts';
import { labelSelectorToSelector } from '../../../policy/kinds/shared/label-selector-ir.ts';
import { parseCalicoSelector, printCalicoSelector, type SelectorScope } from '../../../policy/selector/calico/index.ts';
import { type Labels, matches } from '../../../policy/selector/match.ts';
import { labelKeyErrors, labelValueErrors } from '../../../policy/validation/labels.ts';
import { hostileJson, hostileString } from './hostile-json.ts';

const SCOPES: readonly SelectorScope[] = ['labels', 'namespace', 'ruleNamespace'];
const NUM_RUNS = 400;

/** Keys and values from small pools, so generated selectors and label maps often meet. */
const key = fc.constantFrom(
  'app',
  'tier',
  'k8s.io/role',
  'a_b-c.d',
  'in',
  'has',
  'all',
  'not',
  'contains',
  'projectcalico.org/name',
  'kubernetes.io/metadata.name',
);
const value = fc.constantFrom('', 'web', 'db', 'we', 'b', "it's", 'say "hi"', 'web db', '名前');

/** Pieces of Calico syntax, right and wrong, to glue into near-miss selectors. */
const token = fc.oneof(
  key,
  fc.constantFrom(
    '(',
    ')',
    '!',
    '&&',
    '||',
    '&',
    '|',
    '=',
    '==',
    '!=',
    'in',
    'not in',
    'notin',
    'contains',
    'starts with',
    'startswith',
    'ends with',
    'ends',
    '{',
    '}',
    ',',
    '"',
    "'",
    '"v"',
    "'v'",
  ),
  fc.constantFrom('has(', 'has(app)', 'has( app )', 'has()', 'all()', 'all(', 'global()', 'global( )', '\t', ' ', '\u0000', '\uD800', '#'),
);
const tokenSoup = fc.array(token, { maxLength: 12 }).chain((tokens) => fc.constantFrom(tokens.join(' '), tokens.join('')));

/** Well-formed Calico selector text, built from the grammar. */
const calicoText = fc.letrec<{ expression: string }>((tie) => ({
  expression: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('all()', 'global()'),
    key.map((k) => `has(${k})`),
    fc.tuple(key, fc.constantFrom('==', '!=', 'contains', 'starts with', 'ends with'), value).map(([k, op, v]) => `${k} ${op} ${quoteCalico(v)}`),
    fc.tuple(key, fc.constantFrom('in', 'not in'), fc.array(value, { maxLength: 3 })).map(([k, op, vs]) => `${k} ${op} {${vs.map(quoteCalico).join(', ')}}`),
    tie('expression').map((e) => `!${e}`),
    tie('expression').map((e) => `(${e})`),
    fc.tuple(tie('expression'), fc.constantFrom(' && ', ' || ', '&&', '||'), tie('expression')).map(([a, op, b]) => `${a}${op}${b}`),
  ),
})).expression;

function quoteCalico(text: string): string {
  return text.includes('"') ? `'${text}'` : `"${text}"`;
}

/** Valid text with one character deleted, one token inserted, or one quote swapped for the other. */
const nearMissText = fc.tuple(calicoText, fc.nat(), token, fc.constantFrom('delete', 'insert', 'swapQuote')).map(([text, at, inserted, change]) => {
  const index = text.length === 0 ? 0 : at % text.length;
  if (change === 'delete') return text.slice(0, index) + text.slice(index + 1);
  if (change === 'insert') return text.slice(0, index) + inserted + text.slice(index);
  return text.replace(/["']/, (quote) => (quote === '"' ? "'" : '"'));
});

const anySelectorText = fc.oneof(hostileString(), tokenSoup, calicoText, nearMissText, fc.constantFrom('', ' \t '));

describe('Calico selector parser', () => {
  it('answers any text in any scope with a selector or a column inside the text and a message', () => {
    fc.assert(
      fc.property(anySelectorText, fc.constantFrom(...SCOPES), (text, scope) => {
        const result = parseCalicoSelector(text, scope);
        if (result.ok) return;
        expect(result.column).toBeGreaterThanOrEqual(1);
        expect(result.column).toBeLessThanOrEqual(text.length + 1);
        expect(result.message).toMatch(/^column \d+: ./);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('accepts the text the grammar generates, outside the global() rules', () => {
    fc.assert(
      fc.property(calicoText, (text) => {
        fc.pre(!text.includes('global()'));
        expect(parseCalicoSelector(text, 'labels')).toMatchObject({ ok: true });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('parses what it printed back to the same selector: parse(print(parse(t))) = parse(t)', () => {
    fc.assert(
      fc.property(anySelectorText, fc.constantFrom(...SCOPES), (text, scope) => {
        const parsed = parseCalicoSelector(text, scope);
        if (!parsed.ok) return;
        const printed = printCalicoSelector(parsed.selector);
        expect(parseCalicoSelector(printed, scope), printed).toEqual(parsed);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

/** IR selectors over the same pools; values hold at most one kind of quote, as Calico can print. */
const irSelector: fc.Arbitrary<Selector> = fc.letrec<{ selector: Selector }>((tie) => ({
  selector: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<Selector>({ op: 'all' }, { op: 'none' }),
    fc.record({ op: fc.constantFrom('has' as const, 'notHas' as const), key }),
    fc.record({ op: fc.constantFrom('eq' as const, 'neq' as const, 'contains' as const, 'startsWith' as const, 'endsWith' as const), key, value }),
    fc.record({ op: fc.constantFrom('in' as const, 'notIn' as const), key, values: fc.array(value, { maxLength: 3 }) }),
    fc.record({ op: fc.constant('not' as const), arg: tie('selector') }),
    fc.record({ op: fc.constantFrom('and' as const, 'or' as const), args: fc.array(tie('selector'), { maxLength: 3 }) }),
  ),
})).selector;

const labels: fc.Arbitrary<Labels> = fc.array(fc.tuple(key, value), { maxLength: 5 }).map((entries) => Object.fromEntries(entries));

describe('printing IR selectors in Calico syntax', () => {
  it('prints text that parses to a selector matching exactly the same labels', () => {
    fc.assert(
      fc.property(irSelector, fc.array(labels, { minLength: 1, maxLength: 8 }), (selector, labelMaps) => {
        const printed = printCalicoSelector(selector);
        const parsed = parseCalicoSelector(printed, 'labels');
        if (!parsed.ok) throw new Error(`${printed}: ${parsed.message}`);
        for (const map of labelMaps) expect(matches(parsed.selector, map), `${printed} on ${JSON.stringify(map)}`).toBe(matches(selector, map));
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

/** LabelSelector-shaped input, right and nearly right: keys and values that bend the label rules, operators in the wrong case. */
const labelish = fc.oneof(key, value, hostileString(['In', 'NotIn', 'Exists', 'DoesNotExist', 'a/b/c', '/x', 'x/', 'a'.repeat(64)]));
const nearMissLabelSelector = fc.record(
  {
    matchLabels: fc.oneof(
      fc.array(fc.tuple(labelish, labelish), { maxLength: 4 }).map((entries) => Object.fromEntries(entries)),
      hostileJson(),
    ),
    matchExpressions: fc.oneof(
      fc.array(
        fc.record(
          {
            key: fc.oneof(labelish, hostileJson()),
            operator: fc.oneof(fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist', 'in', 'Equals', ''), hostileJson()),
            values: fc.oneof(fc.array(labelish, { maxLength: 3 }), hostileJson()),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 3 },
      ),
      hostileJson(),
    ),
  },
  { requiredKeys: [] },
);

describe('Kubernetes LabelSelector', () => {
  it('validates any input to issues with a path, or to a selector whose stored form means the same', () => {
    fc.assert(
      fc.property(fc.oneof(nearMissLabelSelector, hostileJson()), (input) => {
        const parsed = labelSelectorSchema.safeParse(input);
        if (!parsed.success) {
          for (const issue of parsed.error.issues) expect(Array.isArray(issue.path)).toBe(true);
          return;
        }
        const selector = labelSelectorToSelector(parsed.data);
        const stored = toStoredLabelSelector(parsed.data);
        const again = labelSelectorSchema.safeParse(stored);
        expect(again.success).toBe(true);
        if (again.success) expect(labelSelectorToSelector(again.data)).toEqual(selector);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('checks any label key or value without throwing', () => {
    fc.assert(
      fc.property(labelish, (text) => {
        expect(Array.isArray(labelKeyErrors(text))).toBe(true);
        expect(Array.isArray(labelValueErrors(text))).toBe(true);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
