// The kinds the API accepts, and the one entry point that validates, defaults and normalises any of them.
import { unsupportedValue, requiredValue } from '../validation/field-errors.ts';
import type { AcceptedKind, ParsePolicyResult } from './define.ts';
import { networkPolicyKind } from './kubernetes-networkpolicy/kind.ts';

export const ACCEPTED_KINDS: readonly AcceptedKind[] = [networkPolicyKind];

export function findKind(apiVersion: string, kind: string): AcceptedKind | undefined {
  return ACCEPTED_KINDS.find((k) => k.apiVersion === apiVersion && k.kind === kind);
}

function describe(k: AcceptedKind): string {
  return `${k.apiVersion} ${k.kind}`;
}

/**
 * Validates any accepted policy object, dispatching on apiVersion and kind. On success, `object` is
 * the stored (GET) form and `ir` its IR policy; on failure, issues carry paths into the input.
 */
export function parsePolicyObject(input: unknown): ParsePolicyResult {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, issues: [{ path: [], message: 'Invalid value: must be an object with apiVersion and kind' }] };
  }
  const { apiVersion, kind } = input as { apiVersion?: unknown; kind?: unknown };
  if (kind === undefined || kind === null || kind === '') {
    return { ok: false, issues: [{ path: ['kind'], message: requiredValue() }] };
  }
  const sameKind = ACCEPTED_KINDS.filter((k) => k.kind === kind);
  if (sameKind.length === 0) {
    return { ok: false, issues: [{ path: ['kind'], message: unsupportedValue(kind, ACCEPTED_KINDS.map(describe)) }] };
  }
  const match = sameKind.find((k) => k.apiVersion === apiVersion);
  if (!match) {
    const message =
      apiVersion === undefined || apiVersion === null || apiVersion === ''
        ? requiredValue()
        : unsupportedValue(apiVersion, sameKind.map((k) => k.apiVersion));
    return { ok: false, issues: [{ path: ['apiVersion'], message }] };
  }
  return match.accept(input);
}
