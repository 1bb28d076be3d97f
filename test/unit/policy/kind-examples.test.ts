// The documented examples (API reference, README) are valid objects, one for every accepted kind.
import { describe, expect, it } from 'vitest';
import { KIND_EXAMPLES } from '../../../policy/kinds/examples.ts';
import { ALL_KINDS, parseObject } from '../../../policy/kinds/index.ts';

describe('kind examples', () => {
  it('cover every accepted kind', () => {
    const documented = new Set(KIND_EXAMPLES.map((example) => `${example.apiVersion} ${example.kind}`));
    expect([...ALL_KINDS.map((kind) => `${kind.apiVersion} ${kind.kind}`)].sort()).toEqual([...documented].sort());
  });
  for (const example of KIND_EXAMPLES) {
    it(`parses the ${example.apiVersion} ${example.kind} example`, () => {
      const parsed = parseObject(example);
      expect(parsed.ok ? [] : parsed.issues).toEqual([]);
    });
  }
});
