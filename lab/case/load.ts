// Reads a case file from disk into a validated LabCase; a JSON syntax error is an invalid case too.
import { readFile } from 'node:fs/promises';
import { err, type Result } from '../errors.ts';
import { type LabCase, parseCase } from './schema.ts';

export async function loadCase(path: string): Promise<Result<LabCase>> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    return err('invalid_case', `${path}: ${(e as Error).message}`, { path });
  }
  const r = parseCase(json);
  if (!r.ok) r.error.message = `${path}: ${r.error.message}`;
  return r;
}
