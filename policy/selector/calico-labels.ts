// Calico's automatic labels (docs "Calico automatic labels"; libcalico-go conversion): Calico
// evaluates endpoint selectors against a pod's labels plus projectcalico.org/namespace (its
// namespace), projectcalico.org/orchestrator ("k8s") and projectcalico.org/serviceaccount (its service
// account), and service account selectors against the account's labels plus projectcalico.org/name.
// Users write selectors such as `projectcalico.org/namespace == "prod"` in GlobalNetworkPolicies, so
// whoever evaluates selectors over endpoints (the agent's inventory index, explain) adds these.
// Namespace selectors need nothing: the normalisers rewrite Calico's namespace-name label there.
import type { Labels } from './match.ts';

const CALICO_ENDPOINT_NAMESPACE_LABEL = 'projectcalico.org/namespace';
const CALICO_ORCHESTRATOR_LABEL = 'projectcalico.org/orchestrator';
const CALICO_SERVICE_ACCOUNT_LABEL = 'projectcalico.org/serviceaccount';
const CALICO_NAME_LABEL = 'projectcalico.org/name';

/** A pod's labels as Calico's selectors see them; the automatic labels win over same-named ones. */
export function calicoEndpointLabels(labels: Labels, endpoint: { namespace: string; serviceAccount?: string }): Labels {
  return {
    ...labels,
    [CALICO_ENDPOINT_NAMESPACE_LABEL]: endpoint.namespace,
    [CALICO_ORCHESTRATOR_LABEL]: 'k8s',
    ...(endpoint.serviceAccount !== undefined && { [CALICO_SERVICE_ACCOUNT_LABEL]: endpoint.serviceAccount }),
  };
}

/** A service account's labels as ServiceAccountMatch selectors see them. */
export function calicoServiceAccountLabels(labels: Labels, name: string): Labels {
  return { ...labels, [CALICO_NAME_LABEL]: name };
}

/** A network set's labels as Calico's selectors see them: namespaced ones carry their namespace. */
export function calicoNetworkSetLabels(labels: Labels, namespace: string | null): Labels {
  return namespace === null ? { ...labels } : { ...labels, [CALICO_ENDPOINT_NAMESPACE_LABEL]: namespace };
}
