// The compatibility report of an EKS cluster, from what EKS says about it: pure functions of the
// DescribeCluster / DescribeNodegroup / DescribeAddon answers, so every rule is testable alone.
// What matters to a network policy engine on EKS: Windows nodes (no eBPF agent), the node kernels
// (tcx needs Linux 6.6; older kernels get the tc attach path), Fargate (no nodes to enforce on), and
// VPC CNI's own network policy agent (two engines enforcing on the same pods).

export type AttachPath = 'tcx' | 'tc';

export interface NodegroupReport {
  name: string;
  amiType: string;
  supported: boolean;
  /** The attach path the node's kernel allows; null for a node group the agent cannot run on. */
  attachPath: AttachPath | null;
  note: string;
}

export type CompatibilityWarningCode = 'WINDOWS_NODES_UNSUPPORTED' | 'FARGATE_NOT_ENFORCED' | 'VPC_CNI_NETWORK_POLICY_ENABLED' | 'CUSTOM_AMI_KERNEL_UNKNOWN';

export interface CompatibilityWarning {
  code: CompatibilityWarningCode;
  message: string;
}

export interface ClusterFacts {
  kubernetesVersion: string;
  platformVersion: string;
  endpoint: string;
  /** The cluster CA, base64 PEM as EKS gives it. */
  certificateAuthority: string;
  ipFamily: 'ipv4' | 'ipv6';
  serviceCidr: string;
  authenticationMode: 'API' | 'API_AND_CONFIG_MAP' | 'CONFIG_MAP';
}

export interface VpcCniReport {
  installed: boolean;
  version: string | null;
  networkPolicyAgent: boolean;
}

export interface CompatibilityReport {
  cluster: ClusterFacts;
  nodegroups: NodegroupReport[];
  fargateProfiles: string[];
  vpcCni: VpcCniReport;
  /** How palisade gets into the Kubernetes API: an EKS access entry, or a line the tenant adds to aws-auth. */
  access: 'access-entry' | 'aws-auth';
  warnings: CompatibilityWarning[];
}

/**
 * Kernels of the EKS-optimised AMIs (their release notes): AL2 ships 5.10, AL2023 and Bottlerocket
 * 6.1 (newer AL2023 releases 6.12); tcx came in 6.6, so only a kernel known to be 6.6+ gets tcx, and
 * the agent still probes for tcx on the node and uses it where the node has it.
 */
export function nodegroupReport(name: string, amiType: string): NodegroupReport {
  if (amiType.startsWith('WINDOWS_')) {
    return { name, amiType, supported: false, attachPath: null, note: 'Windows nodes run no eBPF agent: pods on them are not enforced' };
  }
  if (amiType.startsWith('AL2_'))
    return { name, amiType, supported: true, attachPath: 'tc', note: 'Linux 5.10 has no tcx: the agent attaches with tc (clsact)' };
  if (amiType.startsWith('AL2023_') || amiType.startsWith('BOTTLEROCKET_')) {
    return { name, amiType, supported: true, attachPath: 'tc', note: 'Linux 6.1 has no tcx: tc (clsact), or tcx where the node runs 6.6 or later' };
  }
  return { name, amiType, supported: true, attachPath: 'tc', note: 'a custom AMI: the kernel is not known here; tc unless the node has tcx (6.6+)' };
}

/** VPC CNI turns its network policy agent on with `enableNetworkPolicy: "true"` in the add-on's configuration values. */
export function vpcCniReport(addon: { addonVersion?: string; configurationValues?: string } | undefined): VpcCniReport {
  if (!addon) return { installed: false, version: null, networkPolicyAgent: false };
  let enabled = false;
  try {
    const values = JSON.parse(addon.configurationValues || '{}') as { enableNetworkPolicy?: unknown };
    enabled = values.enableNetworkPolicy === true || values.enableNetworkPolicy === 'true';
  } catch {
    enabled = false;
  }
  return { installed: true, version: addon.addonVersion ?? null, networkPolicyAgent: enabled };
}

export function compatibilityReport(
  cluster: ClusterFacts,
  nodegroups: NodegroupReport[],
  fargateProfiles: string[],
  vpcCni: VpcCniReport,
): CompatibilityReport {
  const warnings: CompatibilityWarning[] = [];
  const windows = nodegroups.filter((group) => !group.supported).map((group) => group.name);
  if (windows.length > 0) {
    warnings.push({ code: 'WINDOWS_NODES_UNSUPPORTED', message: `node groups ${windows.join(', ')} run Windows: their pods are not enforced` });
  }
  if (fargateProfiles.length > 0) {
    warnings.push({
      code: 'FARGATE_NOT_ENFORCED',
      message: `pods scheduled by Fargate profiles ${fargateProfiles.join(', ')} have no node for the agent: they are not enforced`,
    });
  }
  if (vpcCni.networkPolicyAgent) {
    warnings.push({
      code: 'VPC_CNI_NETWORK_POLICY_ENABLED',
      message:
        'VPC CNI\'s network policy agent is enabled: two engines would enforce on the same pods. Set enableNetworkPolicy to "false" in the vpc-cni add-on\'s configuration',
    });
  }
  if (nodegroups.some((group) => group.amiType === 'CUSTOM')) {
    warnings.push({ code: 'CUSTOM_AMI_KERNEL_UNKNOWN', message: 'custom AMIs: the agent needs Linux 5.10 or later with BTF' });
  }
  return { cluster, nodegroups, fargateProfiles, vpcCni, access: cluster.authenticationMode === 'CONFIG_MAP' ? 'aws-auth' : 'access-entry', warnings };
}
