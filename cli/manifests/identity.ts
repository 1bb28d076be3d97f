// Who an object is (API group, kind, namespace, name: as Kubernetes identifies it, so the two
// NetworkPolicy kinds stay apart), and the mark the CLI leaves on what it applies, as kubectl marks
// its objects, so `apply --prune` deletes only what the CLI put there.
import type { Manifest } from '../api/policies.ts';

const APPLIED_BY_ANNOTATION = 'palisade.dev/applied-by';
const APPLIED_BY_CLI = 'cli';

interface ObjectMeta {
  name?: unknown;
  namespace?: unknown;
  annotations?: Record<string, string>;
}

export const metadataOf = (manifest: Manifest): ObjectMeta =>
  typeof manifest.metadata === 'object' && manifest.metadata !== null ? (manifest.metadata as ObjectMeta) : {};

/** `networking.k8s.io` of `networking.k8s.io/v1`; '' for the core group. */
export const groupOf = (apiVersion: unknown) =>
  typeof apiVersion === 'string' && apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';

export function identityOf(object: { apiVersion: unknown; kind: unknown; namespace: unknown; name: unknown }): string {
  return `${groupOf(object.apiVersion)}/${String(object.kind)}/${typeof object.namespace === 'string' ? object.namespace : ''}/${String(object.name)}`;
}

export function manifestIdentity(manifest: Manifest): string {
  const metadata = metadataOf(manifest);
  return identityOf({ apiVersion: manifest.apiVersion, kind: manifest.kind, namespace: metadata.namespace, name: metadata.name });
}

/** `NetworkPolicy shop/web`, `Tier security`: how objects are named in messages. */
export function displayName(object: { kind: unknown; namespace?: unknown; name: unknown }): string {
  const namespace = typeof object.namespace === 'string' && object.namespace ? `${object.namespace}/` : '';
  return `${String(object.kind)} ${namespace}${String(object.name)}`;
}

export function markAppliedByCli(manifest: Manifest): Manifest {
  const metadata = metadataOf(manifest);
  return { ...manifest, metadata: { ...metadata, annotations: { ...metadata.annotations, [APPLIED_BY_ANNOTATION]: APPLIED_BY_CLI } } };
}

/** The marker as `POST /v1/apply?prune=true` takes it (pruneAnnotation=key=value). */
export const APPLIED_BY_CLI_MARKER = `${APPLIED_BY_ANNOTATION}=${APPLIED_BY_CLI}`;

export const isAppliedByCli = (manifest: Manifest) => metadataOf(manifest).annotations?.[APPLIED_BY_ANNOTATION] === APPLIED_BY_CLI;
