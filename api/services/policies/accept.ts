// The first step of every policy write: a submitted document becomes an object the write service can
// store, or field errors. Validation is the kind's own schema (policies of every kind, tiers, network
// sets, bandwidth policies); the identity (apiVersion/kind/namespace/name) is read from it here.

import type { NormalisedResource } from '../../../policy/kinds/define.ts';
import { parseObject } from '../../../policy/kinds/index.ts';
import { withoutDiscardedMetadata } from '../../../policy/kinds/shared/object-meta.ts';
import { type FieldError, pathToString, validationFailed } from '../../errors/api-error.ts';

export interface AcceptedPolicy {
  apiVersion: string;
  kind: string;
  /** '' for cluster-scoped kinds (GlobalNetworkPolicy, Tier, AdminNetworkPolicy, ...). */
  namespace: string;
  name: string;
  /** The document as written (less the server-set metadata fields the kinds drop): what reads return. */
  writtenManifest: Record<string, unknown>;
  /** With the kind's defaults applied: what the object means. */
  manifest: Record<string, unknown>;
  resource: NormalisedResource;
  ruleCount: number;
  /** Accepted but read differently from how it is written (paths from the object's root); not stored. */
  warnings: FieldError[];
}

type Acceptance = { ok: true; policy: AcceptedPolicy } | { ok: false; errors: FieldError[] };

function accept(document: unknown): Acceptance {
  const result = parseObject(document);
  if (!result.ok) return { ok: false, errors: result.issues.map((issue) => ({ path: pathToString(issue.path), message: issue.message })) };
  const manifest = result.object as Record<string, unknown> & { metadata: { name: string; namespace?: string } };
  const { resource } = result;
  return {
    ok: true,
    policy: {
      apiVersion: result.apiVersion,
      kind: result.kind,
      namespace: manifest.metadata.namespace ?? '',
      name: manifest.metadata.name,
      writtenManifest: withoutDiscardedMetadata(document as Record<string, unknown>),
      manifest,
      resource,
      ruleCount: resource.type === 'policy' ? resource.policy.ingress.length + resource.policy.egress.length : 0,
      warnings: result.warnings.map((warning) => ({ path: pathToString(warning.path), message: warning.message })),
    },
  };
}

/** One object's document (create, replace, promote): 422 with every invalid field. */
export function acceptPolicyDocument(document: unknown): AcceptedPolicy {
  const accepted = accept(document);
  if (!accepted.ok) throw validationFailed(accepted.errors);
  return accepted.policy;
}

/**
 * Many documents (apply): every one is validated before anything is looked up, so one answer names all
 * the problems, each path led by its document's index; the same identity twice is refused too.
 */
export function acceptPolicyDocuments(documents: readonly unknown[]): AcceptedPolicy[] {
  const errors: FieldError[] = [];
  const policies: AcceptedPolicy[] = [];
  const seen = new Map<string, number>();
  documents.forEach((document, index) => {
    const accepted = accept(document);
    if (!accepted.ok) {
      errors.push(...accepted.errors.map((error) => ({ path: error.path ? `${index}.${error.path}` : String(index), message: error.message })));
      return;
    }
    const { policy } = accepted;
    const identity = `${policy.apiVersion}/${policy.kind}/${policy.namespace}/${policy.name}`;
    const first = seen.get(identity);
    if (first !== undefined) errors.push({ path: `${index}.metadata.name`, message: `duplicates document ${first} (${identity})` });
    seen.set(identity, index);
    policies.push(policy);
  });
  if (errors.length > 0) throw validationFailed(errors);
  return policies;
}
