// JSON documents in a YAML stream take JSON.parse's way only where the YAML reading would give the
// same values; everything else (a key written twice, deep nesting, anything not plain JSON) is left to
// the YAML parser, whose answer, values or refusal, is then the reader's.

import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ApiError } from '../../../api/errors/api-error.ts';
import { jsonDocuments } from '../../../api/http/json-documents.ts';
import { readYamlValues } from '../../../api/http/read-yaml.ts';
import { MAX_NESTING_DEPTH } from '../../../policy/validation/text.ts';

/** The YAML library's own reading, documents with no value skipped as the reader skips them. */
const yamlValues = (text: string) =>
  parseAllDocuments(text, { uniqueKeys: true })
    .map((document) => document.toJS())
    .filter((value) => value !== null && value !== undefined);

describe('jsonDocuments', () => {
  it.each([
    ['one object', '{"kind":"NetworkPolicy","metadata":{"name":"a"}}'],
    ['documents between separators', '---\n{"a":1}\n---\n{"b":[1,2,{"c":"x\\"y: z"}]}\n---\n'],
    ['CRLF line ends', '{"a":1}\r\n---\r\n{"b":2}\r\n'],
    ['an array of objects', '[{"x":1},{"y":2}]'],
    ['escapes and odd numbers', '{"k":"\\u00e9\\/\\t\\\\","n":1e400,"m":-0,"b":12345678901234567890,"z":null,"t":true}'],
    ['spaces around the colons', '{ "a" : "b:c" ,\n  "d":\t1 }'],
    ['an own __proto__ key', '{"__proto__":{"x":1}}'],
    ['nothing but blanks', ' \n '],
    [`nesting just short of ${MAX_NESTING_DEPTH}`, `${'['.repeat(MAX_NESTING_DEPTH - 1)}${']'.repeat(MAX_NESTING_DEPTH - 1)}`],
  ])('reads %s as the YAML reading does', (_, text) => {
    const values = jsonDocuments(text);
    expect(values).toBeDefined();
    expect(values).toEqual(yamlValues(text));
  });

  it.each([
    ['a key written twice', '{"a":1,"a":2}'],
    ['a key written twice, deeper', '{"a":{"b":1,"c":{"d":1,"d":2}}}'],
    ['nesting the YAML reading refuses', `${'['.repeat(MAX_NESTING_DEPTH + 1)}${']'.repeat(MAX_NESTING_DEPTH + 1)}`],
    ['YAML that is not JSON', 'a: 1\n'],
    ['a comment after the object', '{"a":1} # note'],
    ['a document on the separator line', '--- {"a":1}'],
    ['a scalar document', '"text"'],
    ['malformed JSON', '{"a":1,}'],
  ])('leaves %s to the YAML parser', (_, text) => {
    expect(jsonDocuments(text)).toBeUndefined();
  });

  it('leaves the reader refusing a key written twice, with the YAML parser’s answer', () => {
    expect(() => readYamlValues('{"a":1,"a":2}')).toThrow(ApiError);
    expect(() => readYamlValues('{"a":1,"a":2}')).toThrow(/DUPLICATE_KEY/);
  });
});
