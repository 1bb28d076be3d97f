// Request bodies that users write by hand (policies) arrive as JSON or YAML. Both parse to the same
// value; a syntax error answers 400 with the line and column, and never reaches validation.
import type { Context } from 'hono';
import { ApiError } from '../errors/api-error.ts';
import { YAML_MEDIA_TYPES } from './read-yaml.ts';
import { parseYamlBody } from './yaml-parse-pool.ts';

export async function readDocument(c: Context): Promise<unknown> {
  const contentType = (c.req.header('content-type') ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  const text = await c.req.text();
  if (contentType === 'application/json' || contentType.endsWith('+json')) return parseJson(text);
  if (YAML_MEDIA_TYPES.includes(contentType)) return parseYaml(text);
  throw new ApiError('UNSUPPORTED_MEDIA_TYPE', `send application/json or application/yaml, not ${contentType}`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError('BAD_REQUEST', `malformed JSON: ${(error as Error).message}`);
  }
}

async function parseYaml(text: string): Promise<unknown> {
  // One document only: a multi-document stream belongs to the apply endpoint, not to one object's.
  const values = await parseYamlBody(text);
  if (values.length > 1) throw new ApiError('BAD_REQUEST', 'send one YAML document per request');
  return values[0] ?? null;
}
