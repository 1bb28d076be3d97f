// What a policy kind is: a schema for what users write, the stored (GET) form after the kind's
// defaulting, and its translation into the IR. Adding a kind is one definition plus one registry entry.
import type { z } from 'zod';
import type { Policy } from '../ir.ts';
import { kubernetesErrorMap, toPolicyIssues, type PolicyIssue } from './issues.ts';
import { dropNullFields } from './shared/absent-nulls.ts';

export interface PolicyKindDefinition<Input, Stored> {
  apiVersion: string;
  kind: string;
  /** The written form with all of the kind's validation; also what the OpenAPI document shows. */
  schema: z.ZodType<Input>;
  /** Defaults applied, read-only and empty fields dropped: what is stored and what GET returns. */
  toStored(parsed: Input): Stored;
  normalise(stored: Stored): Policy;
}

export type ParsePolicyResult =
  | { ok: true; apiVersion: string; kind: string; object: unknown; ir: Policy }
  | { ok: false; issues: PolicyIssue[] };

/** A kind with its types hidden behind one operation, so kinds of different shapes share a table. */
export interface AcceptedKind {
  apiVersion: string;
  kind: string;
  schema: z.ZodType;
  accept(object: unknown): ParsePolicyResult;
}

export function definePolicyKind<Input, Stored>(definition: PolicyKindDefinition<Input, Stored>): AcceptedKind {
  const { apiVersion, kind, schema } = definition;
  return {
    apiVersion,
    kind,
    schema,
    accept(object) {
      const parsed = schema.safeParse(dropNullFields(object), { error: kubernetesErrorMap });
      if (!parsed.success) return { ok: false, issues: toPolicyIssues(parsed.error.issues) };
      const stored = definition.toStored(parsed.data);
      return { ok: true, apiVersion, kind, object: stored, ir: definition.normalise(stored) };
    },
  };
}
