// `-o`: the formats a command can print in. Tables for people (the default), JSON and YAML for
// scripts; `wide` adds columns to the table.
import { stringify } from 'yaml';
import { usageError } from '../exit-codes.ts';

export type OutputFormat = 'table' | 'wide' | 'json' | 'yaml';

export function outputFormat(value: string | undefined, allowed: readonly OutputFormat[], command: string): OutputFormat {
  const format = (value ?? 'table') as OutputFormat;
  if (!allowed.includes(format)) throw usageError(`-o ${value}: ${command} prints ${allowed.join(', ')}`, command);
  return format;
}

export const toJson = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export const toYaml = (value: unknown) => stringify(value);
