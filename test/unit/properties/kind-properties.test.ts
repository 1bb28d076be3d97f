// Every accepted kind, fed hostile variations of its documented example and of a richer valid object
// (./rich-seeds.ts): parseObject answers with an object or with issues that carry a path, never with
// an exception; what it accepts normalises to IR the IR schemas accept, encodes canonically (as a
// bundle and the database carry it), and parses again to itself.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { canonicalJson } from '../../../policy/bundle/canonical-json.ts';
import { bandwidthPolicySchema, hostEndpointSchema, networkSetSchema, policySchema, tierDefinitionSchema } from '../../../policy/ir.ts';
import { KIND_EXAMPLES } from '../../../policy/kinds/examples.ts';
import { ALL_KINDS, type NormalisedResource, parseObject } from '../../../policy/kinds/index.ts';
import { applyMutation, hostileJson, leavesOf, mutation } from './hostile-json.ts';
import { RICH_SEEDS } from './rich-seeds.ts';

/** Field names and enum values the schemas know, so mutations reach past the first unknown field. */
function vocabularyOf(schemas: readonly z.ZodType[]): string[] {
  const words = new Set<string>();
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'properties' && value !== null && typeof value === 'object') for (const name of Object.keys(value)) words.add(name);
      if (key === 'enum' && Array.isArray(value)) for (const option of value) words.add(String(option));
      if (key === 'const') words.add(String(value));
      walk(value);
    }
  };
  for (const schema of schemas) walk(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }));
  return [...words].sort();
}

const vocabulary = vocabularyOf(ALL_KINDS.map((kind) => kind.schema));

function checkIr(resource: NormalisedResource): z.ZodSafeParseResult<unknown> {
  switch (resource.type) {
    case 'policy':
      return policySchema.safeParse(resource.policy);
    case 'tier':
      return tierDefinitionSchema.safeParse(resource.tier);
    case 'networkSet':
      return networkSetSchema.safeParse(resource.networkSet);
    case 'bandwidthPolicy':
      return bandwidthPolicySchema.safeParse(resource.bandwidthPolicy);
    case 'hostEndpoint':
      return hostEndpointSchema.safeParse(resource.hostEndpoint);
  }
}

/** What parseObject must answer for any input. */
function expectWellFormedAnswer(input: unknown): void {
  const result = parseObject(input);
  if (!result.ok) {
    expect(result.issues.length).toBeGreaterThan(0);
    for (const issue of result.issues) {
      expect(Array.isArray(issue.path) && issue.path.every((segment) => typeof segment === 'string' || typeof segment === 'number')).toBe(true);
      expect(issue.message).toEqual(expect.any(String));
      expect(issue.message).not.toBe('');
    }
    return;
  }
  const ir = checkIr(result.resource);
  expect(ir.success, JSON.stringify(ir.error?.issues)).toBe(true);
  canonicalJson(result.resource);
  canonicalJson(result.object);
  const again = parseObject(result.object);
  expect(again.ok ? again.object : again.issues).toEqual(result.object);
}

// Runs per seed: enough to reach every field of a seed several times, a few seconds for the file.
const NUM_RUNS = 60;

const SEEDS = [...KIND_EXAMPLES, ...RICH_SEEDS];
const knownValues = [...new Set(SEEDS.flatMap(leavesOf))];

describe('parseObject over every kind, hostile input', () => {
  it('starts from valid objects of every kind', () => {
    for (const seed of SEEDS) expect(parseObject(seed), JSON.stringify(seed)).toMatchObject({ ok: true });
    expect(new Set(SEEDS.map((seed) => `${String(seed.apiVersion)} ${String(seed.kind)}`)).size).toBe(ALL_KINDS.length);
  });

  for (const seed of SEEDS) {
    const name = `${String(seed.apiVersion)} ${String(seed.kind)} ${JSON.stringify((seed.metadata as { name?: unknown }).name)}`;

    it(`${name}: one to three mutations of its metadata and spec give an object or issues, never a throw`, () => {
      const { apiVersion, kind, ...body } = seed;
      fc.assert(
        fc.property(fc.array(mutation(vocabulary, knownValues), { minLength: 1, maxLength: 3 }), (mutations) => {
          const mutated = mutations.reduce<unknown>(applyMutation, body);
          expectWellFormedAnswer(mutated !== null && typeof mutated === 'object' ? { ...mutated, apiVersion, kind } : mutated);
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it(`${name}: mutations anywhere, apiVersion and kind included`, () => {
      fc.assert(
        fc.property(fc.array(mutation(vocabulary, knownValues), { minLength: 1, maxLength: 2 }), (mutations) => {
          expectWellFormedAnswer(mutations.reduce<unknown>(applyMutation, seed));
        }),
        { numRuns: NUM_RUNS / 4 },
      );
    });

    it(`${name}: arbitrary metadata and spec under its apiVersion and kind`, () => {
      fc.assert(
        fc.property(hostileJson(vocabulary), hostileJson(vocabulary), (metadata, spec) => {
          expectWellFormedAnswer({ apiVersion: seed.apiVersion, kind: seed.kind, metadata, spec });
        }),
        { numRuns: NUM_RUNS / 4 },
      );
    });
  }

  it('any JSON value at all', () => {
    fc.assert(
      fc.property(hostileJson(vocabulary), (input) => {
        expectWellFormedAnswer(input);
      }),
      { numRuns: NUM_RUNS * 2 },
    );
  });
});
