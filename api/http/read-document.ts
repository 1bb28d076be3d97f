// Request bodies that users write by hand (policies) arrive as JSON or YAML. Both parse to the same
// value; a syntax error answers 400 with the line and column, and never reaches validation.
import type { Context } from 'hono';
import { parseDocument } from 'yaml';
import { ApiError } from '../errors/api-error.ts';

const YAML_TYPES = ['application/yaml', 'application/x-yaml'];

export async function readDocument(c: Context): Promise<unknown> {
  const contentType = (c.req.header('content-type') ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  const text = await c.req.text();
  if (contentType === 'application/json' || contentType.endsWith('+json')) return parseJson(text);
  if (YAML_TYPES.includes(contentType)) return parseYaml(text);
  throw new ApiError('UNSUPPORTED_MEDIA_TYPE', `send application/json or application/yaml, not ${contentType}`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError('BAD_REQUEST', `malformed JSON: ${(error as Error).message}`);
  }
}

function parseYaml(text: string): unknown {
  // One document only: a multi-document stream belongs to the apply endpoint, not to one object's.
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const [error] = document.errors;
  if (error) {
    const [line, column] = error.linePos?.[0] ? [error.linePos[0].line, error.linePos[0].col] : [0, 0];
    throw new ApiError('BAD_REQUEST', `malformed YAML at line ${line}, column ${column}: ${error.code}`);
  }
  if (text.split(/^---\s*$/m).filter((part) => part.trim()).length > 1) {
    throw new ApiError('BAD_REQUEST', 'send one YAML document per request');
  }
  return document.toJS({ maxAliasCount: 100 });
}
