import type { HostEndpoint } from '../../ir.ts';
import { formatCidr, parseCidr } from '../../validation/cidr.ts';
import type { DefaultedHostEndpoint } from './defaults.ts';

/** An address in its canonical spelling (the one pod addresses and nets compare in). */
function canonicalAddress(text: string): string {
  const parsed = parseCidr(`${text}/${text.includes(':') ? 128 : 32}`);
  if (!parsed.ok) throw new Error(`invariant: address ${JSON.stringify(text)} passed validation but does not parse`);
  return formatCidr(parsed.cidr).replace(/\/\d+$/, '');
}

export function normaliseHostEndpoint(endpoint: DefaultedHostEndpoint): HostEndpoint {
  const { name, labels } = endpoint.metadata;
  const { node, interfaceName, expectedIPs } = endpoint.spec;
  return {
    id: `HostEndpoint/${name}`,
    name,
    node,
    ...(interfaceName && { interfaceName }),
    expectedIPs: [...new Set((expectedIPs ?? []).map(canonicalAddress))].sort(),
    labels: { ...(labels ?? {}) },
  };
}
