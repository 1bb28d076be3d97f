// Flags several commands share, spelled as kubectl spells them, so muscle memory carries over.
import { usageError } from './exit-codes.ts';

export const clusterOption = { cluster: { type: 'string' } } as const;
export const namespaceOption = { namespace: { type: 'string', short: 'n' } } as const;
export const outputOption = { output: { type: 'string', short: 'o' } } as const;
export const filenameOptions = {
  filename: { type: 'string', short: 'f', multiple: true },
  recursive: { type: 'boolean', short: 'R', default: false },
} as const;

export function required<T>(value: T | undefined, flag: string, command: string): T {
  if (value === undefined || value === '') throw usageError(`${flag} is required`, command);
  return value;
}

/** Exactly one positional word per name; the error names the missing or the extra one. */
export function positionals(values: readonly string[], names: readonly string[], command: string): string[] {
  if (values.length < names.length) throw usageError(`missing ${names.slice(values.length).join(' ')}`, command);
  if (values.length > names.length) throw usageError(`unexpected argument ${values[names.length]}`, command);
  return [...values];
}
