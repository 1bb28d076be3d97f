// Promoting a staged policy (Calico's "enforce" of a staged policy): a StagedX with stagedAction Set
// becomes the X it stages, same metadata and spec without stagedAction; with stagedAction Delete it
// names the enforced X to remove. The caller validates the result as any written object.

const PROMOTES_TO: Record<string, { apiVersion: string; kind: string }> = {
  StagedNetworkPolicy: { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy' },
  StagedGlobalNetworkPolicy: { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy' },
  StagedKubernetesNetworkPolicy: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' },
};

export interface ObjectIdentity {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

export type Promotion = { action: 'set'; enforced: Record<string, unknown> } | { action: 'delete'; target: ObjectIdentity };

interface StagedManifest {
  kind: string;
  metadata: { name: string; namespace?: string } & Record<string, unknown>;
  spec?: Record<string, unknown> & { stagedAction?: string };
}

/** undefined when the object is not a staged kind. */
export function promotionOf(manifest: Record<string, unknown>): Promotion | undefined {
  const staged = manifest as unknown as StagedManifest;
  const target = PROMOTES_TO[staged.kind];
  if (!target) return undefined;
  const { stagedAction, ...spec } = staged.spec ?? {};
  if (stagedAction === 'Delete') {
    return { action: 'delete', target: { ...target, namespace: staged.metadata.namespace ?? '', name: staged.metadata.name } };
  }
  return { action: 'set', enforced: { apiVersion: target.apiVersion, kind: target.kind, metadata: staged.metadata, spec } };
}
