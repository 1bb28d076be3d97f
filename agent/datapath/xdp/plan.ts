// Which host interfaces of this node get an XDP program, and with which rules (pure). A doNotTrack
// policy's `untracked.hostEndpoints` selects host endpoints by their labels; each of this node's
// selected host endpoints gets the ingress rules of every such policy in evaluation order (tiers,
// then policies as placed in the policy set). Rules resolve as pod rules do (policy/evaluation):
// source selectors to the addresses of the pods and network sets they match, nets to CIDRs, ports
// to ranges; the host endpoint stands where a pod would, with its labels and expected IPs.

import type { MatchTerm } from '../../../policy/evaluation/endpoint-policy.ts';
import { type IndexedEndpoint, indexInventory, indexNetworkSets } from '../../../policy/evaluation/inventory-index.ts';
import { createRuleResolver } from '../../../policy/evaluation/resolve-rule.ts';
import type { Inventory } from '../../../policy/inventory.ts';
import type { HostEndpoint, PolicySet } from '../../../policy/ir.ts';
import { matches } from '../../../policy/selector/match.ts';
import { parseCidr } from '../../../policy/validation/cidr.ts';
import type { DataplaneError } from '../dataplane.ts';

/** One untracked rule on one interface; `slot` indexes its drop counter. */
export interface UntrackedRule {
  slot: number;
  tier: string;
  policyId: string;
  ruleIndex: number;
  terms: MatchTerm[];
}

export interface HostInterfacePlan {
  hostEndpoint: string;
  interfaceName: string;
  rules: UntrackedRule[];
}

export interface HostProtectionPlan {
  interfaces: HostInterfacePlan[];
  /** Host endpoints left unenforced, each with why; the rest of the plan stands. */
  errors: DataplaneError[];
}

function asTarget(hostEndpoint: HostEndpoint): IndexedEndpoint {
  const addresses = hostEndpoint.expectedIPs.flatMap((ip) => {
    const parsed = parseCidr(`${ip}/${ip.includes(':') ? 128 : 32}`);
    return parsed.ok ? [parsed.cidr] : [];
  });
  return {
    key: hostEndpoint.id,
    endpoint: { namespace: '', name: hostEndpoint.name, labels: hostEndpoint.labels, ipv4: [], ipv6: [], ports: [] },
    namespaceLabels: {},
    selectorLabels: hostEndpoint.labels,
    addresses,
  };
}

export function planHostProtection(policySet: PolicySet, inventory: Inventory, nodeName: string): HostProtectionPlan {
  const errors: DataplaneError[] = [];
  const local = (policySet.hostEndpoints ?? []).filter((h) => h.node === nodeName);
  if (local.length === 0) return { interfaces: [], errors };
  const resolve = createRuleResolver(indexInventory(inventory), indexNetworkSets(inventory, policySet.networkSets ?? []));
  const interfaces: HostInterfacePlan[] = [];
  for (const hostEndpoint of local) {
    if (!hostEndpoint.interfaceName) {
      errors.push({
        code: 'HOST_ENDPOINT_UNENFORCED',
        message: `${hostEndpoint.id} names no interface (expectedIPs only): its untracked rules are enforced nowhere`,
      });
      continue;
    }
    const target = asTarget(hostEndpoint);
    const rules: UntrackedRule[] = [];
    for (const tier of policySet.tiers) {
      for (const policy of tier.policies) {
        if (!policy.untracked || !matches(policy.untracked.hostEndpoints, hostEndpoint.labels)) continue;
        policy.untracked.ingress.forEach((rule, ruleIndex) => {
          // The API admits Deny alone (policy/kinds/calico/untracked-policy.ts); a bundle made
          // elsewhere with another action is not enforced a different way here.
          if (rule.action !== 'Deny') {
            errors.push({
              code: 'UNTRACKED_RULE_UNSUPPORTED',
              message: `${policy.id} untracked rule ${ruleIndex}: action ${rule.action}; only Deny runs at XDP`,
            });
            return;
          }
          rules.push({ slot: rules.length, tier: tier.name, policyId: policy.id, ruleIndex, terms: resolve(rule, 'ingress', target) });
        });
      }
    }
    interfaces.push({ hostEndpoint: hostEndpoint.id, interfaceName: hostEndpoint.interfaceName, rules });
  }
  return { interfaces, errors };
}
