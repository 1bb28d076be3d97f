// kubectl's rule for namespaced objects written without a namespace (as the widely copied policy
// recipes are): they go to `-n`, else `default`. The API itself requires the namespace, so the CLI
// fills it in before sending. Which kinds are namespaced is a fact of each kind (README, "Accepted
// policy kinds"), keyed by API group so every version of a kind counts.
import type { Manifest } from '../api/policies.ts';
import { CliError, EXIT } from '../exit-codes.ts';
import { groupOf, metadataOf } from './identity.ts';

const NAMESPACED_KINDS = new Set([
  'networking.k8s.io/NetworkPolicy',
  'projectcalico.org/NetworkPolicy',
  'projectcalico.org/NetworkSet',
  'projectcalico.org/StagedNetworkPolicy',
  'projectcalico.org/StagedKubernetesNetworkPolicy',
  'policy.palisade.dev/BandwidthPolicy',
]);

const DEFAULT_NAMESPACE = 'default';

const isNamespaced = (manifest: Manifest) => NAMESPACED_KINDS.has(`${groupOf(manifest.apiVersion)}/${String(manifest.kind)}`);

/** `source` names the document in the error kubectl gives for a namespace that contradicts `-n`. */
export function withNamespace(manifest: Manifest, namespace: string | undefined, source: string): Manifest {
  if (!isNamespaced(manifest)) return manifest;
  const metadata = metadataOf(manifest);
  if (typeof metadata.namespace === 'string' && metadata.namespace !== '') {
    if (namespace !== undefined && metadata.namespace !== namespace) {
      throw new CliError(
        EXIT.REFUSED,
        `${source}: metadata.namespace is ${metadata.namespace}, which does not match --namespace ${namespace}`,
        `pass --namespace ${metadata.namespace}, or remove metadata.namespace from the file`,
      );
    }
    return manifest;
  }
  return { ...manifest, metadata: { ...metadata, namespace: namespace ?? DEFAULT_NAMESPACE } };
}
