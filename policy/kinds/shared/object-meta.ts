// metadata of a namespaced or cluster-scoped object, validated as ValidateObjectMeta does (k8s.io/apimachinery
// pkg/api/validation/objectmeta.go). Users paste `kubectl get -o yaml` output, so fields the API
// server sets (and references to objects that exist only in their cluster) are accepted and dropped.
import { z } from 'zod';
import { forbidden, invalidValue, requiredValue, tooLong } from '../../validation/field-errors.ts';
import { labelKeyErrors } from '../../validation/labels.ts';
import { dns1123LabelErrors } from '../../validation/names.ts';
import { addIssue } from '../issues.ts';
import { checkLabels, sortedMap, stringMapSchema } from './label-map.ts';

/** Kubernetes' TotalAnnotationSizeLimitB: keys plus values of all annotations. */
export const ANNOTATIONS_MAX_BYTES = 256 * 1024;

const NAME_REQUIRED = requiredValue('name or generateName is required');

/**
 * Accepted and dropped: server-set (uid, resourceVersion, generation, timestamps, managedFields, selfLink)
 * or meaningful only inside the source cluster (ownerReferences and finalizers name objects by UID there).
 */
const discardedFields = {
  uid: z.unknown().optional(),
  resourceVersion: z.unknown().optional(),
  generation: z.unknown().optional(),
  creationTimestamp: z.unknown().optional(),
  deletionTimestamp: z.unknown().optional(),
  deletionGracePeriodSeconds: z.unknown().optional(),
  managedFields: z.unknown().optional(),
  selfLink: z.unknown().optional(),
  ownerReferences: z.unknown().optional(),
  finalizers: z.unknown().optional(),
};

/**
 * `document` without the metadata fields accepted and dropped above: the object as its author wrote
 * it, the form reads return. Called on a document the kind's schema accepted, so metadata is an object.
 */
export function withoutDiscardedMetadata(document: Record<string, unknown>): Record<string, unknown> {
  const metadata = document.metadata as Record<string, unknown>;
  const kept = Object.fromEntries(Object.entries(metadata).filter(([field]) => !Object.hasOwn(discardedFields, field)));
  return { ...document, metadata: kept };
}

type MetaChecks = {
  name: string;
  labels?: Record<string, string> | undefined;
  annotations?: Record<string, string> | undefined;
};

/** Checks every kind's metadata shares: the name by the kind's rule, labels, annotations. */
function checkCommonMeta(meta: MetaChecks, ctx: z.RefinementCtx, checkName: (name: string) => string[]): void {
  if (meta.name === '') addIssue(ctx, ['name'], NAME_REQUIRED);
  else for (const detail of checkName(meta.name)) addIssue(ctx, ['name'], invalidValue(meta.name, detail));

  if (meta.labels) checkLabels(meta.labels, ctx, ['labels']);

  if (meta.annotations) {
    let size = 0;
    for (const [key, value] of Object.entries(meta.annotations)) {
      // Annotation keys follow the label key rule, except that case does not matter.
      for (const detail of labelKeyErrors(key.toLowerCase())) addIssue(ctx, ['annotations', key], invalidValue(key, detail));
      size += utf8Length(key) + utf8Length(value);
    }
    if (size > ANNOTATIONS_MAX_BYTES) addIssue(ctx, ['annotations'], tooLong(ANNOTATIONS_MAX_BYTES));
  }
}

const nameField = z.string({ error: (issue) => (issue.input === undefined ? NAME_REQUIRED : undefined) });

/**
 * Builds the metadata schema of a namespaced kind; `checkName` returns the kind's name rule messages.
 * Namespace names are DNS-1123 labels for every kind (ValidateNamespaceName). The namespace is
 * required: unlike kubectl, nothing here supplies a current-context namespace.
 */
export function namespacedObjectMetaSchema(checkName: (name: string) => string[]) {
  return z
    .strictObject({
      name: nameField,
      namespace: z.string(),
      labels: stringMapSchema.optional(),
      annotations: stringMapSchema.optional(),
      ...discardedFields,
    })
    .superRefine((meta, ctx) => {
      checkCommonMeta(meta, ctx, checkName);
      if (meta.namespace === '') addIssue(ctx, ['namespace'], requiredValue());
      else for (const detail of dns1123LabelErrors(meta.namespace)) addIssue(ctx, ['namespace'], invalidValue(meta.namespace, detail));
    });
}

/**
 * The metadata schema of a cluster-scoped kind (AdminNetworkPolicy, Tier, GlobalNetworkPolicy...).
 * ValidateObjectMeta with requiresNamespace false: a namespace is "not allowed on this type"; an empty
 * one, as some tools write it, is accepted and dropped.
 */
export function clusterObjectMetaSchema(checkName: (name: string) => string[]) {
  return z
    .strictObject({
      name: nameField,
      namespace: z.string().optional(),
      labels: stringMapSchema.optional(),
      annotations: stringMapSchema.optional(),
      ...discardedFields,
    })
    .superRefine((meta, ctx) => {
      checkCommonMeta(meta, ctx, checkName);
      if (meta.namespace) addIssue(ctx, ['namespace'], forbidden('not allowed on this type'));
    });
}

export interface StoredObjectMeta {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface StoredClusterObjectMeta {
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** GET form of a cluster-scoped object's metadata: as toStoredObjectMeta, without a namespace. */
export function toStoredClusterObjectMeta(meta: StoredClusterObjectMeta): StoredClusterObjectMeta {
  const stored: StoredClusterObjectMeta = { name: meta.name };
  const labels = sortedMap(meta.labels);
  const annotations = sortedMap(meta.annotations);
  if (labels) stored.labels = labels;
  if (annotations) stored.annotations = annotations;
  return stored;
}

/** What GET returns: identity, labels and annotations; empty maps left out, keys in sorted order as Go encodes maps. */
export function toStoredObjectMeta(meta: StoredObjectMeta): StoredObjectMeta {
  const stored: StoredObjectMeta = { name: meta.name, namespace: meta.namespace };
  const labels = sortedMap(meta.labels);
  const annotations = sortedMap(meta.annotations);
  if (labels) stored.labels = labels;
  if (annotations) stored.annotations = annotations;
  return stored;
}

const encoder = new TextEncoder();
function utf8Length(text: string): number {
  return encoder.encode(text).length;
}
