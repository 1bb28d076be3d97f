// The acceptance cases (../shared/netpol-cases/, FORMAT.md) run through the whole pure chain:
// policy objects -> parsePolicyObject -> buildPolicySet -> resolveEndpointPolicies -> evaluate, per
// probe. The eBPF dataplane is held to the same cases with real packets elsewhere; here a failure
// points at the resolver, the evaluator or policy/.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandCase, type LabTopology, substituteAddresses, withNameLabel } from '../../../lab/case/expand.ts';
import { parseCase, type Relabel } from '../../../lab/case/schema.ts';
import { unwrap } from '../../../lab/errors.ts';
import { reachable } from '../../../policy/evaluation/reachable.ts';
import { type Inventory, inventorySchema } from '../../../policy/inventory.ts';
import type { Policy } from '../../../policy/ir.ts';
import { parsePolicyObject } from '../../../policy/kinds/index.ts';
import { buildPolicySet } from '../../../policy/policy-set.ts';
import { sharedCasesDir } from '../../support/shared-cases.ts';

const CASES_DIR = sharedCasesDir();
const caseFiles = readdirSync(CASES_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

/** Synthetic addresses: pod i gets 198.18.0.(i+1) (DESIGN.md reserves 198.18.0.0/15) and a ULA twin. */
function addressesOf(topology: LabTopology): Map<string, { ipv4: string; ipv6: string }> {
  return new Map(topology.pods.map((pod, i) => [pod.key, { ipv4: `198.18.0.${i + 1}`, ipv6: `fd00:198:18::${(i + 1).toString(16)}` }]));
}

function toInventory(topology: LabTopology, addresses: Map<string, { ipv4: string; ipv6: string }>): Inventory {
  return inventorySchema.parse({
    namespaces: topology.namespaces.map((ns) => ({ name: ns.name, labels: ns.labels })),
    endpoints: topology.pods.map((pod) => {
      const address = addresses.get(pod.key)!;
      return {
        namespace: pod.namespace,
        name: pod.name,
        labels: pod.labels,
        ipv4: [address.ipv4],
        ipv6: [address.ipv6],
        ports: pod.ports,
        node: 'node-1',
        hostInterface: `veth-${pod.namespace}-${pod.name}`,
      };
    }),
  });
}

/** Labels are replaced whole; a namespace keeps its name label (FORMAT.md). */
function relabel(topology: LabTopology, change: Relabel): LabTopology {
  if (change.kind === 'Namespace') {
    return {
      ...topology,
      namespaces: topology.namespaces.map((ns) => (ns.name === change.name ? { ...ns, labels: withNameLabel(ns.name, change.labels) } : ns)),
    };
  }
  return {
    ...topology,
    pods: topology.pods.map((pod) => (pod.namespace === change.namespace && pod.name === change.name ? { ...pod, labels: { ...change.labels } } : pod)),
  };
}

function objectKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

function toPolicy(object: unknown): Policy {
  const parsed = parsePolicyObject(object);
  if (!parsed.ok) throw new Error(`policy refused: ${JSON.stringify(parsed.issues)}`);
  return parsed.ir;
}

it('finds all 20 cases', () => {
  expect(caseFiles).toHaveLength(20);
});

describe.each(caseFiles)('%s', (file) => {
  const labCase = unwrap(parseCase(JSON.parse(readFileSync(join(CASES_DIR, file), 'utf8'))));
  const expanded = unwrap(expandCase(labCase));
  const addresses = addressesOf(expanded.topology);

  it('every probe of every step gets the expected verdict', () => {
    let topology = expanded.topology;
    const policies = new Map<string, Policy>();
    const failures: string[] = [];
    let probed = 0;
    expanded.steps.forEach((step, s) => {
      for (const ref of step.delete) policies.delete(objectKey(ref.kind, ref.namespace, ref.name));
      for (const change of step.relabel) topology = relabel(topology, change);
      for (const object of step.apply) {
        const substituted = unwrap(substituteAddresses(object, (key) => addresses.get(key)?.ipv4));
        policies.set(objectKey(object.kind, object.metadata.namespace, object.metadata.name), toPolicy(substituted));
      }
      const inventory = toInventory(topology, addresses);
      const policySet = buildPolicySet([...policies.values()]);
      for (const probe of step.probes) {
        const result = reachable(inventory, policySet, probe.from, probe.to, probe.port, probe.protocol);
        probed += 1;
        if (result.allowed !== probe.expected) {
          const why = (e: typeof result.egress) => `${e.verdict} ${JSON.stringify(e.trace)}`;
          failures.push(
            `step ${s}: ${probe.from} -> ${probe.to} ${probe.protocol}/${probe.port}: expected ${probe.expected ? 'allow' : 'deny'}, ` +
              `egress ${why(result.egress)}, ingress ${why(result.ingress)}`,
          );
        }
      }
    });
    expect(failures).toEqual([]);
    expect(probed).toBeGreaterThan(0);
  });
});
