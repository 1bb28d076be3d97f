// Rules the Kubernetes API server enforces across fields, which no schema expresses: the ones that
// bear on what we install, each named after the validation in kubernetes/pkg/apis/*/validation that
// applies it, and reported as `path: reason` the way the API server words its field errors.
// Together with kubernetes-schema.ts this stands in for `kubectl apply --dry-run=server`.
type Json = Record<string, unknown>;
type Issues = string[];

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);

const asList = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);
const asObject = (value: unknown): Json => (typeof value === 'object' && value !== null ? (value as Json) : {});

function labelKey(key: string): boolean {
  const [prefix, name] = key.includes('/') ? [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)] : [undefined, key];
  return (prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix))) && name.length <= 63 && LABEL_NAME.test(name);
}

function labels(value: unknown, path: string, issues: Issues): void {
  for (const [key, text] of Object.entries(asObject(value))) {
    if (!labelKey(key)) issues.push(`${path}: Invalid value: "${key}": a label key must be a qualified name`);
    if (typeof text !== 'string' || text.length > 63 || !LABEL_VALUE.test(text))
      issues.push(`${path}.${key}: Invalid value: a label value must be 63 characters or fewer, alphanumeric at both ends`);
  }
}

/** ValidateObjectMeta: names, namespaces where the kind has them (and not where it has none), labels. */
function objectMeta(object: Json, issues: Issues): void {
  const meta = asObject(object.metadata);
  const kind = String(object.kind);
  const name = String(meta.name ?? '');
  const namePattern = kind === 'Namespace' ? DNS_LABEL : DNS_SUBDOMAIN;
  if (!namePattern.test(name) || name.length > (kind === 'Namespace' ? 63 : 253)) issues.push(`metadata.name: Invalid value: "${name}"`);
  if (CLUSTER_SCOPED.has(kind) && meta.namespace !== undefined) issues.push('metadata.namespace: Forbidden: not allowed on this type');
  if (!CLUSTER_SCOPED.has(kind) && !DNS_LABEL.test(String(meta.namespace ?? ''))) issues.push('metadata.namespace: Required value');
  labels(meta.labels, 'metadata.labels', issues);
}

/** ValidateSecret / ValidateConfigMap: keys are config keys, and a key is in data or stringData, not both. */
function configKeys(object: Json, fields: string[], issues: Issues): void {
  const seen = new Set<string>();
  for (const field of fields) {
    for (const key of Object.keys(asObject(object[field]))) {
      if (!CONFIG_KEY.test(key)) issues.push(`${field}[${key}]: Invalid value: a valid config key must consist of alphanumeric characters, '-', '_' or '.'`);
      if (seen.has(key) && object.kind === 'ConfigMap') issues.push(`${field}[${key}]: Invalid value: duplicate of key ${key} present in other field`);
      seen.add(key);
    }
  }
}

/** ValidateRoleBinding: the role reference and each subject. */
function roleBinding(object: Json, issues: Issues): void {
  const roleRef = asObject(object.roleRef);
  if (roleRef.apiGroup !== 'rbac.authorization.k8s.io') issues.push(`roleRef.apiGroup: Unsupported value: "${String(roleRef.apiGroup)}"`);
  const kinds = object.kind === 'ClusterRoleBinding' ? ['ClusterRole'] : ['Role', 'ClusterRole'];
  if (!kinds.includes(String(roleRef.kind))) issues.push(`roleRef.kind: Unsupported value: "${String(roleRef.kind)}"`);
  asList(object.subjects).forEach((subject, index) => {
    if (subject.kind === 'ServiceAccount') {
      if (subject.apiGroup !== undefined && subject.apiGroup !== '') issues.push(`subjects[${index}].apiGroup: Unsupported value`);
      if (!subject.namespace) issues.push(`subjects[${index}].namespace: Required value`);
    } else if (subject.kind !== 'User' && subject.kind !== 'Group') issues.push(`subjects[${index}].kind: Unsupported value: "${String(subject.kind)}"`);
  });
}

/** ValidatePolicyRule: verbs always; resources name their API groups. */
function roleRules(object: Json, issues: Issues): void {
  asList(object.rules).forEach((rule, index) => {
    if (asList(rule.verbs).length === 0) issues.push(`rules[${index}].verbs: Required value: verbs must contain at least one value`);
    if (asList(rule.resources).length > 0 && !Array.isArray(rule.apiGroups))
      issues.push(`rules[${index}].apiGroups: Required value: resource rules must supply at least one api group`);
  });
}

const VOLUME_SOURCES = ['hostPath', 'emptyDir', 'secret', 'configMap', 'projected', 'persistentVolumeClaim', 'downwardAPI'];
const HOST_PATH_TYPES = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'];

function volumes(spec: Json, issues: Issues): Set<string> {
  const names = new Set<string>();
  asList(spec.volumes).forEach((volume, index) => {
    const path = `spec.template.spec.volumes[${index}]`;
    const name = String(volume.name ?? '');
    if (!DNS_LABEL.test(name)) issues.push(`${path}.name: Invalid value: "${name}"`);
    if (names.has(name)) issues.push(`${path}.name: Duplicate value: "${name}"`);
    names.add(name);
    const sources = VOLUME_SOURCES.filter((source) => volume[source] !== undefined);
    if (sources.length !== 1) issues.push(`${path}: Invalid value: must specify exactly 1 volume type (has ${sources.length})`);
    const hostPath = asObject(volume.hostPath);
    if (volume.hostPath !== undefined && !HOST_PATH_TYPES.includes(String(hostPath.type ?? ''))) issues.push(`${path}.hostPath.type: Unsupported value`);
    asList(asObject(volume.projected).sources).forEach((source, at) => {
      const kinds = ['secret', 'configMap', 'downwardAPI', 'serviceAccountToken', 'clusterTrustBundle'].filter((kind) => source[kind] !== undefined);
      if (kinds.length !== 1) issues.push(`${path}.projected.sources[${at}]: Forbidden: may not specify more than 1 volume type per source`);
    });
  });
  return names;
}

const PROPAGATIONS = ['None', 'HostToContainer', 'Bidirectional'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];

/** ValidateContainers (and the security context and mount rules it applies per container). */
function container(entry: Json, path: string, volumeNames: Set<string>, hostNetwork: boolean, issues: Issues): void {
  if (!entry.image) issues.push(`${path}.image: Required value`);
  if (entry.imagePullPolicy !== undefined && !PULL_POLICIES.includes(String(entry.imagePullPolicy)))
    issues.push(`${path}.imagePullPolicy: Unsupported value: "${String(entry.imagePullPolicy)}"`);
  const security = asObject(entry.securityContext);
  const privileged = security.privileged === true;
  const added = asList(asObject(security.capabilities).add).map(String);
  // validateSecurityContext: no privilege escalation is a lie for a privileged container or one with CAP_SYS_ADMIN.
  if (security.allowPrivilegeEscalation === false && privileged)
    issues.push(`${path}.securityContext: Invalid value: cannot set allowPrivilegeEscalation to false and privileged to true`);
  if (security.allowPrivilegeEscalation === false && added.some((cap) => cap === 'SYS_ADMIN' || cap === 'CAP_SYS_ADMIN')) {
    issues.push(`${path}.securityContext: Invalid value: cannot set allowPrivilegeEscalation to false and capabilities.Add CAP_SYS_ADMIN`);
  }
  const mountPaths = new Set<string>();
  asList(entry.volumeMounts).forEach((mount, index) => {
    const at = `${path}.volumeMounts[${index}]`;
    if (!volumeNames.has(String(mount.name))) issues.push(`${at}.name: Not found: "${String(mount.name)}"`);
    if (mountPaths.has(String(mount.mountPath))) issues.push(`${at}.mountPath: Invalid value: "${String(mount.mountPath)}": must be unique`);
    mountPaths.add(String(mount.mountPath));
    if (mount.mountPropagation === undefined) return;
    // validateMountPropagation
    if (!PROPAGATIONS.includes(String(mount.mountPropagation))) issues.push(`${at}.mountPropagation: Unsupported value: "${String(mount.mountPropagation)}"`);
    if (mount.mountPropagation === 'Bidirectional' && !privileged)
      issues.push(`${at}.mountPropagation: Forbidden: Bidirectional mount propagation is available only to privileged containers`);
  });
  asList(entry.env).forEach((variable, index) => {
    const at = `${path}.env[${index}]`;
    if (!ENV_NAME.test(String(variable.name ?? ''))) issues.push(`${at}.name: Invalid value: "${String(variable.name)}"`);
    if (variable.value !== undefined && variable.valueFrom !== undefined)
      issues.push(`${at}.valueFrom: Invalid value: may not be specified when \`value\` is not empty`);
  });
  asList(entry.ports).forEach((port, index) => {
    // validateHostNetwork
    if (hostNetwork && port.hostPort !== undefined && port.hostPort !== port.containerPort)
      issues.push(`${path}.ports[${index}].hostPort: Invalid value: must match containerPort when hostNetwork is true`);
  });
}

/** ValidateDaemonSetSpec and the ValidatePodTemplateSpec it applies. */
function daemonSet(object: Json, issues: Issues): void {
  const spec = asObject(object.spec);
  const selector = asObject(asObject(spec.selector).matchLabels);
  const template = asObject(spec.template);
  const templateLabels = asObject(asObject(template.metadata).labels);
  if (Object.keys(selector).length === 0 && asList(asObject(spec.selector).matchExpressions).length === 0)
    issues.push('spec.selector: Invalid value: empty selector is invalid for daemonset');
  for (const [key, value] of Object.entries(selector)) {
    if (templateLabels[key] !== value) issues.push('spec.template.metadata.labels: Invalid value: `selector` does not match template `labels`');
  }
  labels(templateLabels, 'spec.template.metadata.labels', issues);
  const pod = asObject(template.spec);
  if (pod.restartPolicy !== undefined && pod.restartPolicy !== 'Always')
    issues.push(`spec.template.spec.restartPolicy: Unsupported value: "${String(pod.restartPolicy)}"`);
  if (pod.dnsPolicy !== undefined && !['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'].includes(String(pod.dnsPolicy)))
    issues.push('spec.template.spec.dnsPolicy: Unsupported value');
  asList(pod.tolerations).forEach((toleration, index) => {
    if (toleration.operator === 'Exists' && toleration.value)
      issues.push(`spec.template.spec.tolerations[${index}].operator: Invalid value: value must be empty when \`operator\` is 'Exists'`);
  });
  const volumeNames = volumes(pod, issues);
  if (asList(pod.containers).length === 0) issues.push('spec.template.spec.containers: Required value');
  const containerNames = new Set<string>();
  for (const field of ['initContainers', 'containers']) {
    asList(pod[field]).forEach((entry, index) => {
      const path = `spec.template.spec.${field}[${index}]`;
      const name = String(entry.name ?? '');
      if (!DNS_LABEL.test(name)) issues.push(`${path}.name: Invalid value: "${name}"`);
      if (containerNames.has(name)) issues.push(`${path}.name: Duplicate value: "${name}"`);
      containerNames.add(name);
      container(entry, path, volumeNames, pod.hostNetwork === true, issues);
    });
  }
}

/** Every rule the object breaks, as `path: reason`; empty when the API server would accept it. */
export function apiServerRuleIssues(object: Json): string[] {
  const issues: Issues = [];
  objectMeta(object, issues);
  switch (object.kind) {
    case 'Secret':
      configKeys(object, ['data', 'stringData'], issues);
      break;
    case 'ConfigMap':
      configKeys(object, ['data', 'binaryData'], issues);
      break;
    case 'ClusterRoleBinding':
    case 'RoleBinding':
      roleBinding(object, issues);
      break;
    case 'ClusterRole':
    case 'Role':
      roleRules(object, issues);
      break;
    case 'DaemonSet':
      daemonSet(object, issues);
      break;
  }
  return issues;
}
