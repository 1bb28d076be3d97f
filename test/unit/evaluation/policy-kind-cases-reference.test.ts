// The policy-kind reachability cases (test/cases/*.json) through the whole pure chain: objects ->
// policySetFromObjects -> resolveEndpointPolicies -> evaluate, per probe, over the inventory the
// lab would write (pods, and the Services the case declares with the endpoints their selectors
// pick after each relabel: lab/case/endpoint-slices.ts). test/dataplane/cases holds the same cases
// to real packets; a failure here points at policy/ or the resolver rather than the dataplane.
// A probe to a Service's ClusterIP is judged where the agent judges it: the client's egress at the
// ClusterIP and Service port (before the node translates it), the endpoint's ingress at its own port.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { serviceInventory } from '../../../lab/case/endpoint-slices.ts';
import { type ExpandedProbe, expandCase, type LabTopology, substituteAddresses } from '../../../lab/case/expand.ts';
import { applyRelabels } from '../../../lab/case/relabel.ts';
import { parseCase } from '../../../lab/case/schema.ts';
import { unwrap } from '../../../lab/errors.ts';
import { evaluate } from '../../../policy/evaluation/evaluate.ts';
import { reachable } from '../../../policy/evaluation/reachable.ts';
import { resolveEndpointPolicies } from '../../../policy/evaluation/resolve.ts';
import { type Inventory, inventorySchema } from '../../../policy/inventory.ts';
import type { PolicySet } from '../../../policy/ir.ts';
import { policySetFromObjects } from '../../../policy/policy-set-from-objects.ts';

const CASES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'cases');
const caseFiles = readdirSync(CASES_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

/** Synthetic addresses: pod i gets 198.18.0.(i+1) (DESIGN.md reserves 198.18.0.0/15). */
function addressesOf(topology: LabTopology): Map<string, string> {
  return new Map(topology.pods.map((pod, i) => [pod.key, `198.18.0.${i + 1}`]));
}

function toInventory(topology: LabTopology, addresses: Map<string, string>): Inventory {
  const addressOf = (key: string) => [addresses.get(key)!];
  return inventorySchema.parse({
    namespaces: topology.namespaces.map((ns) => ({ name: ns.name, labels: ns.labels })),
    endpoints: topology.pods.map((pod) => ({
      namespace: pod.namespace,
      name: pod.name,
      labels: pod.labels,
      ipv4: addressOf(pod.key),
      ports: pod.ports,
      node: 'node-1',
      hostInterface: `veth-${pod.namespace}-${pod.name}`,
      serviceAccount: pod.serviceAccount,
    })),
    ...(topology.services.length > 0 && { services: serviceInventory(topology, addressOf) }),
  });
}

/** A probe to a ClusterIP: the client's egress to the ClusterIP, then the endpoint's ingress on the translated port. */
function allowedThroughService(inventory: Inventory, policySet: PolicySet, probe: ExpandedProbe, addresses: Map<string, string>): boolean {
  const resolved = resolveEndpointPolicies(policySet, inventory, { endpoints: [probe.from, probe.to] });
  const egress = evaluate(resolved.get(probe.from)!, 'egress', { remoteIp: probe.address!, protocol: probe.protocol, dstPort: probe.port });
  const ingress = evaluate(resolved.get(probe.to)!, 'ingress', { remoteIp: addresses.get(probe.from)!, protocol: probe.protocol, dstPort: probe.targetPort! });
  return egress.verdict === 'allow' && ingress.verdict === 'allow';
}

const keyOf = (ref: { kind: string; namespace?: string | undefined; name: string }) => `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;

describe.each(caseFiles)('%s', (file) => {
  const expanded = unwrap(expandCase(unwrap(parseCase(JSON.parse(readFileSync(join(CASES_DIR, file), 'utf8'))))));
  const addresses = addressesOf(expanded.topology);

  it('every probe of every step gets the expected verdict', () => {
    let topology = expanded.topology;
    const objects = new Map<string, unknown>();
    const failures: string[] = [];
    let probed = 0;
    expanded.steps.forEach((step, s) => {
      for (const ref of step.delete) objects.delete(keyOf(ref));
      topology = unwrap(applyRelabels(topology, step.relabel));
      for (const object of step.apply) {
        const substituted = unwrap(substituteAddresses(object, (key) => addresses.get(key)));
        objects.set(keyOf({ kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name }), substituted);
      }
      const inventory = toInventory(topology, addresses);
      const policySet = policySetFromObjects([...objects.values()]);
      for (const probe of step.probes) {
        // Every case probes only ports its targets serve (the lab's explain cross-check needs it),
        // so the expectation is the policy verdict itself.
        const allowed =
          probe.address === undefined
            ? reachable(inventory, policySet, probe.from, probe.to, probe.port, probe.protocol).allowed
            : allowedThroughService(inventory, policySet, probe, addresses);
        probed += 1;
        if (allowed !== probe.expected) {
          const via = probe.address === undefined ? '' : ` via ${probe.service} ${probe.address}`;
          failures.push(`step ${s + 1}: ${probe.from} -> ${probe.to}${via} ${probe.protocol}/${probe.port}: expected ${probe.expected ? 'allow' : 'deny'}`);
        }
      }
    });
    expect(failures).toEqual([]);
    expect(probed).toBeGreaterThan(0);
  });
});
