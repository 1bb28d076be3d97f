// metadata of a namespaced object, validated as ValidateObjectMeta does (k8s.io/apimachinery
// pkg/api/validation/objectmeta.go). Users paste `kubectl get -o yaml` output, so fields the API
// server sets (and references to objects that exist only in their cluster) are accepted and dropped.
import { z } from 'zod';
import { invalidValue, requiredValue, tooLong } from '../../validation/field-errors.ts';
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
export const DISCARDED_METADATA_FIELDS = Object.keys(discardedFields);

/**
 * Builds the metadata schema of a namespaced kind; `checkName` returns the kind's name rule messages.
 * Namespace names are DNS-1123 labels for every kind (ValidateNamespaceName). The namespace is
 * required: unlike kubectl, nothing here supplies a current-context namespace.
 */
export function namespacedObjectMetaSchema(checkName: (name: string) => string[]) {
  return z
    .strictObject({
      name: z.string({ error: (issue) => (issue.input === undefined ? NAME_REQUIRED : undefined) }),
      namespace: z.string(),
      labels: stringMapSchema.optional(),
      annotations: stringMapSchema.optional(),
      ...discardedFields,
    })
    .superRefine((meta, ctx) => {
      if (meta.name === '') addIssue(ctx, ['name'], NAME_REQUIRED);
      else for (const detail of checkName(meta.name)) addIssue(ctx, ['name'], invalidValue(meta.name, detail));

      if (meta.namespace === '') addIssue(ctx, ['namespace'], requiredValue());
      else for (const detail of dns1123LabelErrors(meta.namespace)) addIssue(ctx, ['namespace'], invalidValue(meta.namespace, detail));

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
    });
}

export interface StoredObjectMeta {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
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
