import { describe, expect, it } from 'vitest';
import type { Selector } from '../../../policy/ir.ts';
import { parseCalicoSelector, printCalicoSelector, type SelectorScope } from '../../../policy/selector/calico/index.ts';
import { MAX_SELECTOR_DEPTH } from '../../../policy/selector/calico/parser.ts';

function parse(text: string, scope: SelectorScope = 'labels'): Selector {
  const result = parseCalicoSelector(text, scope);
  if (!result.ok) throw new Error(result.message);
  return result.selector;
}

function errorOf(text: string, scope: SelectorScope = 'labels'): string {
  const result = parseCalicoSelector(text, scope);
  if (result.ok) throw new Error(`accepted: ${JSON.stringify(result.selector)}`);
  return result.message;
}

const ns = 'kubernetes.io/metadata.name';

describe('Calico selectors: each operator', () => {
  it.each<[string, Selector]>([
    ['k == "v"', { op: 'eq', key: 'k', value: 'v' }],
    ["k == 'v'", { op: 'eq', key: 'k', value: 'v' }],
    ['k != "v"', { op: 'neq', key: 'k', value: 'v' }],
    ['has(k)', { op: 'has', key: 'k' }],
    ['has( k )', { op: 'has', key: 'k' }],
    ['!has(k)', { op: 'notHas', key: 'k' }],
    ['k in {"b", "a", "b"}', { op: 'in', key: 'k', values: ['a', 'b'] }],
    ["k in {'a',}", { op: 'in', key: 'k', values: ['a'] }],
    ['k in {}', { op: 'in', key: 'k', values: [] }],
    ['k not in {"a"}', { op: 'notIn', key: 'k', values: ['a'] }],
    ['k contains "s"', { op: 'contains', key: 'k', value: 's' }],
    ['k starts with "s"', { op: 'startsWith', key: 'k', value: 's' }],
    ['k startswith "s"', { op: 'startsWith', key: 'k', value: 's' }],
    ['k ends with "s"', { op: 'endsWith', key: 'k', value: 's' }],
    ['all()', { op: 'all' }],
    ['all( )', { op: 'all' }],
    ['', { op: 'all' }],
    [' \t ', { op: 'all' }],
    ['!all()', { op: 'none' }],
    ['!(k == "v")', { op: 'not', arg: { op: 'eq', key: 'k', value: 'v' } }],
    ['!k == "v"', { op: 'not', arg: { op: 'eq', key: 'k', value: 'v' } }],
    ['!!k == "v"', { op: 'eq', key: 'k', value: 'v' }],
    [
      'a == "1" && b == "2"',
      {
        op: 'and',
        args: [
          { op: 'eq', key: 'a', value: '1' },
          { op: 'eq', key: 'b', value: '2' },
        ],
      },
    ],
    [
      'a == "1" || b == "2"',
      {
        op: 'or',
        args: [
          { op: 'eq', key: 'a', value: '1' },
          { op: 'eq', key: 'b', value: '2' },
        ],
      },
    ],
    ['example.com/app-name_v2 == "x"', { op: 'eq', key: 'example.com/app-name_v2', value: 'x' }],
    ['k == ""', { op: 'eq', key: 'k', value: '' }],
    ['k == \'say "hi"\'', { op: 'eq', key: 'k', value: 'say "hi"' }],
    ['in == "x"', { op: 'eq', key: 'in', value: 'x' }],
    ['contains contains "x"', { op: 'contains', key: 'contains', value: 'x' }],
  ])('%s', (text, expected) => {
    expect(parse(text)).toEqual(expected);
  });

  it('binds ! tighter than &&, and && tighter than ||, as the docs bracket it', () => {
    expect(parse("! has(my-label) || my-label starts with 'prod' && role in {'frontend','business'}")).toEqual({
      op: 'or',
      args: [
        { op: 'notHas', key: 'my-label' },
        {
          op: 'and',
          args: [
            { op: 'startsWith', key: 'my-label', value: 'prod' },
            { op: 'in', key: 'role', values: ['business', 'frontend'] },
          ],
        },
      ],
    });
  });

  it('groups with parentheses', () => {
    expect(parse('(a == "1" || b == "2") && c == "3"')).toEqual({
      op: 'and',
      args: [
        {
          op: 'or',
          args: [
            { op: 'eq', key: 'a', value: '1' },
            { op: 'eq', key: 'b', value: '2' },
          ],
        },
        { op: 'eq', key: 'c', value: '3' },
      ],
    });
  });
});

describe('Calico selectors: scopes', () => {
  it('reads all() in a namespace selector as "every namespace", which global things are not in', () => {
    expect(parse('all()', 'namespace')).toEqual({ op: 'has', key: ns });
    expect(parse('all()', 'ruleNamespace')).toEqual({ op: 'has', key: ns });
  });

  it("rewrites Calico's namespace-name label to the one the API server sets", () => {
    expect(parse('projectcalico.org/name == "prod"', 'ruleNamespace')).toEqual({ op: 'eq', key: ns, value: 'prod' });
    expect(parse('projectcalico.org/name == "prod"')).toEqual({ op: 'eq', key: 'projectcalico.org/name', value: 'prod' });
  });

  it('accepts global() alone in a rule namespaceSelector, as "only non-namespaced things"', () => {
    expect(parse('global()', 'ruleNamespace')).toEqual({ op: 'notHas', key: ns });
    expect(parse(' global( ) ', 'ruleNamespace')).toEqual({ op: 'notHas', key: ns });
  });

  it('refuses global() anywhere else, or combined', () => {
    expect(errorOf('global()')).toBe("column 1: global() can only be used in a rule's namespaceSelector");
    expect(errorOf('global()', 'namespace')).toBe("column 1: global() can only be used in a rule's namespaceSelector");
    expect(errorOf('a == "b" || global()', 'ruleNamespace')).toBe('column 13: global() cannot be combined with other selectors');
    expect(errorOf('!global()', 'ruleNamespace')).toBe('column 2: global() cannot be combined with other selectors');
  });
});

describe('Calico selectors: malformed forms name the column and what was expected', () => {
  it.each<[string, string]>([
    ['app == web', 'column 8: expected a string after "==", found the label key "web"'],
    ['app == ', 'column 8: expected a string after "==", found the end of the selector'],
    ['app != (', 'column 8: expected a string after "!=", found "("'],
    ['app contains web', 'column 14: expected a string after "contains", found the label key "web"'],
    ['app starts with 5', 'column 17: expected a string after "starts with", found the label key "5"'],
    [
      'app ends "x"',
      'column 5: expected an operator (==, !=, in, not in, contains, starts with, ends with) after the label key "app", found the label key "ends"',
    ],
    ['app = "web"', 'column 5: expected "==", found "=" alone'],
    ['a == "1" & b == "2"', 'column 10: expected "&&", found "&" alone'],
    ['a == "1" | b == "2"', 'column 10: expected "||", found "|" alone'],
    ['app', 'column 4: expected an operator (==, !=, in, not in, contains, starts with, ends with) after the label key "app", found the end of the selector'],
    ['app && b == "1"', 'column 5: expected an operator (==, !=, in, not in, contains, starts with, ends with) after the label key "app", found "&&"'],
    ['app "web"', 'column 5: expected an operator (==, !=, in, not in, contains, starts with, ends with) after the label key "app", found the string "web"'],
    [
      'app not "x"',
      'column 5: expected an operator (==, !=, in, not in, contains, starts with, ends with) after the label key "app", found the label key "not"',
    ],
    ['k in "a"', 'column 6: expected "{" after "in", found the string "a"'],
    ['k not in ["a"]', 'column 10: unexpected character "["'],
    ['k in {a}', 'column 7: expected a string or "}" in the set, found the label key "a"'],
    ['k in {"a" "b"}', 'column 11: expected "," or "}" after a set value, found the string "b"'],
    ['k in {"a",, "b"}', 'column 11: expected a string or "}" in the set, found ","'],
    ['k in {"a"', 'column 10: expected "," or "}" after a set value, found the end of the selector'],
    ['k == "unterminated', 'column 6: unterminated string: no closing "'],
    ["k == 'unterminated", "column 6: unterminated string: no closing '"],
    ['has(', 'column 5: expected a label key after "has("'],
    ['has(k', 'column 6: expected ")" after "has(k"'],
    ['has(k l)', 'column 7: expected ")" after "has(k"'],
    ['has (k)', 'column 5: expected an operator (==, !=, in, not in, contains, starts with, ends with) after the label key "has", found "("'],
    ['all(x)', 'column 5: expected ")" after "all("'],
    ['global(', 'column 8: expected ")" after "global("'],
    ['(a == "1"', 'column 10: expected ")" to close the "(" at column 1, found the end of the selector'],
    ['a == "1")', 'column 9: expected "&&", "||" or the end of the selector, found ")"'],
    ['a == "1" b == "2"', 'column 10: expected "&&", "||" or the end of the selector, found the label key "b"'],
    ['&& a == "1"', 'column 1: expected a selector expression, found "&&"'],
    ['a == "1" &&', 'column 12: expected a selector expression, found the end of the selector'],
    ['!', 'column 2: expected a selector expression, found the end of the selector'],
    ['()', 'column 2: expected a selector expression, found ")"'],
    ['a == "1" #', 'column 10: unexpected character "#"'],
    ['a ==\n"1"', 'column 5: unexpected character "\\n"'],
  ])('%j', (text, message) => {
    expect(errorOf(text)).toBe(message);
  });

  it('bounds the nesting of parentheses', () => {
    const deep = `${'('.repeat(MAX_SELECTOR_DEPTH + 1)}a == "b"${')'.repeat(MAX_SELECTOR_DEPTH + 1)}`;
    expect(errorOf(deep)).toBe(`column ${MAX_SELECTOR_DEPTH + 1}: parentheses nested more than ${MAX_SELECTOR_DEPTH} deep`);
    const fine = `${'('.repeat(MAX_SELECTOR_DEPTH)}a == "b"${')'.repeat(MAX_SELECTOR_DEPTH)}`;
    expect(parse(fine)).toEqual({ op: 'eq', key: 'a', value: 'b' });
  });
});

describe('printing an IR selector in Calico syntax', () => {
  it.each([
    'all()',
    'app == "web"',
    'k == \'say "hi"\'',
    'k != ""',
    'has(a.b/c-d)',
    '!has(k)',
    'k in {"a", "b"}',
    'k not in {}',
    'k contains "x" && k starts with "y" && k ends with "z"',
    '(a == "1" || b == "2") && !(c == "3")',
    '!(a == "1" && b == "2")',
    '!all()',
  ])('%s reads back as itself', (text) => {
    const selector = parse(text);
    expect(printCalicoSelector(selector)).toBe(text);
    expect(parse(printCalicoSelector(selector))).toEqual(selector);
  });

  it('prints the identities of empty conjunctions and disjunctions, and the IR none', () => {
    expect(printCalicoSelector({ op: 'and', args: [] })).toBe('all()');
    expect(printCalicoSelector({ op: 'or', args: [] })).toBe('!all()');
    expect(printCalicoSelector({ op: 'none' })).toBe('!all()');
  });

  it('refuses a value Calico cannot quote', () => {
    expect(() => printCalicoSelector({ op: 'eq', key: 'k', value: `'"` })).toThrow(/both quote characters/);
  });
});
