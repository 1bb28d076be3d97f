import { describe, expect, it } from 'vitest';
import type { Selector } from '../../../policy/ir.ts';
import { matches } from '../../../policy/selector/match.ts';

const web = { app: 'web', tier: 'frontend', version: 'v1.2.3' };
const none = {};

describe('matches', () => {
  it.each<[string, Selector, Record<string, string>, boolean]>([
    ['all matches anything', { op: 'all' }, none, true],
    ['none matches nothing', { op: 'none' }, web, false],

    ['eq with the value', { op: 'eq', key: 'app', value: 'web' }, web, true],
    ['eq with another value', { op: 'eq', key: 'app', value: 'db' }, web, false],
    ['eq with the key absent', { op: 'eq', key: 'app', value: 'web' }, none, false],
    ['eq with an empty value needs the key present', { op: 'eq', key: 'app', value: '' }, none, false],
    ['eq with an empty value and key set to empty', { op: 'eq', key: 'app', value: '' }, { app: '' }, true],

    ['neq with another value', { op: 'neq', key: 'app', value: 'db' }, web, true],
    ['neq with the value', { op: 'neq', key: 'app', value: 'web' }, web, false],
    ['neq with the key absent', { op: 'neq', key: 'app', value: 'web' }, none, true],

    ['in with a listed value', { op: 'in', key: 'tier', values: ['backend', 'frontend'] }, web, true],
    ['in with an unlisted value', { op: 'in', key: 'tier', values: ['backend'] }, web, false],
    ['in with the key absent', { op: 'in', key: 'tier', values: ['frontend'] }, none, false],

    ['notIn with an unlisted value', { op: 'notIn', key: 'tier', values: ['backend'] }, web, true],
    ['notIn with a listed value', { op: 'notIn', key: 'tier', values: ['frontend'] }, web, false],
    ['notIn with the key absent', { op: 'notIn', key: 'tier', values: ['frontend'] }, none, true],

    ['has with the key', { op: 'has', key: 'app' }, web, true],
    ['has with the key set to empty', { op: 'has', key: 'app' }, { app: '' }, true],
    ['has with the key absent', { op: 'has', key: 'app' }, none, false],
    ['notHas with the key', { op: 'notHas', key: 'app' }, web, false],
    ['notHas with the key absent', { op: 'notHas', key: 'app' }, none, true],

    ['contains a substring', { op: 'contains', key: 'version', value: '.2.' }, web, true],
    ['contains a missing substring', { op: 'contains', key: 'version', value: 'x' }, web, false],
    ['contains with the key absent', { op: 'contains', key: 'version', value: '' }, none, false],
    ['startsWith a prefix', { op: 'startsWith', key: 'version', value: 'v1.' }, web, true],
    ['startsWith another prefix', { op: 'startsWith', key: 'version', value: 'v2' }, web, false],
    ['startsWith with the key absent', { op: 'startsWith', key: 'version', value: '' }, none, false],
    ['endsWith a suffix', { op: 'endsWith', key: 'version', value: '.3' }, web, true],
    ['endsWith another suffix', { op: 'endsWith', key: 'version', value: '.4' }, web, false],
    ['endsWith with the key absent', { op: 'endsWith', key: 'version', value: '' }, none, false],

    [
      'and of true terms',
      {
        op: 'and',
        args: [
          { op: 'has', key: 'app' },
          { op: 'eq', key: 'tier', value: 'frontend' },
        ],
      },
      web,
      true,
    ],
    [
      'and with a false term',
      {
        op: 'and',
        args: [
          { op: 'has', key: 'app' },
          { op: 'has', key: 'db' },
        ],
      },
      web,
      false,
    ],
    ['empty and', { op: 'and', args: [] }, none, true],
    [
      'or with one true term',
      {
        op: 'or',
        args: [
          { op: 'has', key: 'db' },
          { op: 'has', key: 'app' },
        ],
      },
      web,
      true,
    ],
    ['or of false terms', { op: 'or', args: [{ op: 'has', key: 'db' }] }, web, false],
    ['empty or', { op: 'or', args: [] }, web, false],
    ['not of a false term', { op: 'not', arg: { op: 'has', key: 'db' } }, web, true],
    ['not of a true term', { op: 'not', arg: { op: 'all' } }, web, false],
  ])('%s', (_case, selector, labels, expected) => {
    expect(matches(selector, labels)).toBe(expected);
  });

  it('reads only the labels themselves, not properties every object inherits', () => {
    expect(matches({ op: 'has', key: 'constructor' }, {})).toBe(false);
    expect(matches({ op: 'notHas', key: 'toString' }, {})).toBe(true);
    expect(matches({ op: 'eq', key: 'constructor', value: 'x' }, { constructor: 'x' })).toBe(true);
  });
});
