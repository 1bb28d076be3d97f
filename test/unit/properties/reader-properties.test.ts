// The body readers, fed arbitrary text and near-misses of valid YAML and JSON (anchors, aliases, merge
// keys, tags, brackets and document markers dropped in at random): the answer is the values, or a
// 400/413/415/422 problem, never an exception from a parser or a walk.
import fc from 'fast-check';
import { Hono } from 'hono';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { toProblemResponse } from '../../../api/errors/problem.ts';
import { readDocuments } from '../../../api/http/read-documents.ts';
import { hostileJson, hostileString } from './hostile-json.ts';

const NUM_RUNS = 300;

const app = new Hono();
app.post('/', async (c) => c.json({ count: (await readDocuments(c)).length }));
app.onError((error, c) => toProblemResponse(error, c, pino({ level: 'silent' })));

const read = (text: string, contentType: string) => app.request('/', { method: 'POST', body: text, headers: { 'content-type': contentType } });

/** Pieces of YAML syntax that break or stretch a document when dropped into it. */
const yamlPiece = fc.constantFrom(
  '&a ',
  '&b ',
  '*a',
  '*b',
  ' *a',
  '<<: *a',
  '!!binary ',
  '!!set ',
  '!x ',
  '? ',
  '[',
  ']',
  '{',
  '}',
  '---\n',
  '...\n',
  '- ',
  ': ',
  '\n',
  '  ',
  '\t',
  '"',
  "'",
  '#',
  '|',
  '>',
  '%YAML 1.1\n',
);

/** Valid YAML of a hostile JSON value, with syntax pieces inserted at random offsets. */
const yamlNearMiss = fc
  .tuple(hostileJson(['kind', 'List', 'items', 'apiVersion', 'metadata']), fc.array(fc.tuple(fc.nat(), yamlPiece), { maxLength: 6 }))
  .map(([value, insertions]) => {
    let text = stringify(value ?? null);
    for (const [at, piece] of insertions) {
      const offset = at % (text.length + 1);
      text = text.slice(0, offset) + piece + text.slice(offset);
    }
    return text;
  });

/** JSON text of a hostile value, with a character dropped or a bracket added. */
const jsonNearMiss = fc
  .tuple(hostileJson(['kind', 'List', 'items']), fc.nat(), fc.constantFrom('', '[', ']', '{', '}', ',', '"', ':'))
  .map(([value, at, piece]) => {
    const text = JSON.stringify(value) ?? 'null';
    const offset = at % (text.length + 1);
    return text.slice(0, offset) + piece + text.slice(offset + (piece === '' ? 1 : 0));
  });

async function expectNoThrow(text: string, contentType: string) {
  const response = await read(text, contentType);
  expect([200, 400, 413, 415, 422], `${response.status} for ${JSON.stringify(text).slice(0, 200)}`).toContain(response.status);
  if (response.status === 422) {
    const problem = (await response.json()) as { errors: { path: unknown }[] };
    for (const error of problem.errors) expect(typeof error.path).toBe('string');
  }
}

describe('readDocuments', () => {
  it('answers arbitrary text as YAML with values or a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(hostileString(['*a', '&a', '<<', '---', '- ', ': ']), (text) => expectNoThrow(text, 'application/yaml')),
      { numRuns: NUM_RUNS },
    );
  });

  it('answers near-misses of valid YAML with values or a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(yamlNearMiss, (text) => expectNoThrow(text, 'application/yaml')),
      { numRuns: NUM_RUNS },
    );
  });

  it('answers near-misses of valid JSON with values or a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(jsonNearMiss, (text) => expectNoThrow(text, 'application/json')),
      { numRuns: NUM_RUNS },
    );
  });
});
