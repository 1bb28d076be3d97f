// Subjects and peers of AdminNetworkPolicy, BaselineAdminNetworkPolicy and ClusterNetworkPolicy
// (sigs.k8s.io/network-policy-api apis/v1alpha1 shared_types.go, apis/v1alpha2). Their selectors are
// Kubernetes label selectors over pods and namespaces; host-networked pods are not included, and
// Calico network sets are not either (only Calico selectors reach those).
// - `networks`: CIDRs as Go's net.ParseCIDR reads them (a prefix length is required; bits after it
//   are cleared), up to 25 per peer, at most 43 characters each (CRD).
// - `nodes` (experimental): the addresses of the selected nodes; accepted and carried in the IR as
//   Rule.nodes, resolved by the agent against the nodes its inventory reports.
// - `domainNames` (experimental): refused; the agent does no DNS-based matching.
import { z } from 'zod';
import type { EndpointMatch, Peer, Selector } from '../../ir.ts';
import { selectAll } from '../../selector/build.ts';
import { type CidrSpelling, formatCidr, parseCidrSpelled } from '../../validation/cidr.ts';
import { forbidden, invalidValue } from '../../validation/field-errors.ts';
import { maxLengthError } from '../../validation/names.ts';
import { addIssue } from '../issues.ts';
import { type LabelSelector, labelSelectorSchema } from '../shared/label-selector.ts';
import { labelSelectorToSelector } from '../shared/label-selector-ir.ts';
import { nonEmptyListOf } from '../shared/list.ts';
import { checkExactlyOne } from './one-of.ts';

export const NETWORK_SPELLING: CidrSpelling = { clearHostBits: true };
const CIDR_MAX_LENGTH = 43;
export const NETWORKS_MAX = 25;

export const namespacedPodSchema = z.strictObject({
  namespaceSelector: labelSelectorSchema,
  podSelector: labelSelectorSchema,
});

/** v1alpha2 marks namespaceSelector optional: absent, like empty, selects every namespace. */
export const namespacedPodV1alpha2Schema = z.strictObject({
  namespaceSelector: labelSelectorSchema.optional(),
  podSelector: labelSelectorSchema,
});

type NamespacedPod = { namespaceSelector?: LabelSelector | undefined; podSelector: LabelSelector };

export const cidrSchema = z.string().superRefine((text, ctx) => {
  if (text.length > CIDR_MAX_LENGTH) {
    addIssue(ctx, [], invalidValue(text, maxLengthError(CIDR_MAX_LENGTH)));
    return;
  }
  const parsed = parseCidrSpelled(text, NETWORK_SPELLING);
  if (!parsed.ok) addIssue(ctx, [], invalidValue(text, parsed.reason));
});

export function subjectSchema<P extends z.ZodType<NamespacedPod>>(pods: P) {
  return z
    .strictObject({ namespaces: labelSelectorSchema.optional(), pods: pods.optional() })
    .superRefine((subject, ctx) => checkExactlyOne(subject, ['namespaces', 'pods'], ctx));
}

export function ingressPeerSchema<P extends z.ZodType<NamespacedPod>>(pods: P) {
  return z
    .strictObject({ namespaces: labelSelectorSchema.optional(), pods: pods.optional() })
    .superRefine((peer, ctx) => checkExactlyOne(peer, ['namespaces', 'pods'], ctx));
}

const EGRESS_PEER_FIELDS = ['namespaces', 'pods', 'nodes', 'networks'] as const;

/** `domainNames` is a field of the ANP and CNP egress peers (not BANP's): recognised and refused. */
export function egressPeerSchema<P extends z.ZodType<NamespacedPod>>(pods: P, options: { domainNames: boolean }) {
  return z
    .strictObject({
      namespaces: labelSelectorSchema.optional(),
      pods: pods.optional(),
      nodes: labelSelectorSchema.optional(),
      networks: nonEmptyListOf(cidrSchema, NETWORKS_MAX).optional(),
      ...(options.domainNames && { domainNames: z.array(z.string()).optional() }),
    })
    .superRefine((peer, ctx) => {
      const fields = options.domainNames ? [...EGRESS_PEER_FIELDS, 'domainNames'] : EGRESS_PEER_FIELDS;
      checkExactlyOne(peer, fields, ctx);
      if ('domainNames' in peer && peer.domainNames !== undefined) {
        addIssue(ctx, ['domainNames'], forbidden('domain name peers are not supported'));
      }
    });
}

export interface SubjectInput {
  namespaces?: LabelSelector | undefined;
  pods?: NamespacedPod | undefined;
}

export function endpointsOf(subject: SubjectInput): EndpointMatch {
  if (subject.namespaces) return { namespaceSelector: labelSelectorToSelector(subject.namespaces), podSelector: selectAll() };
  const pods = subject.pods as NamespacedPod;
  return {
    namespaceSelector: pods.namespaceSelector ? labelSelectorToSelector(pods.namespaceSelector) : selectAll(),
    podSelector: labelSelectorToSelector(pods.podSelector),
  };
}

export interface EgressPeerInput extends SubjectInput {
  nodes?: LabelSelector | undefined;
  networks?: string[] | undefined;
}

function canonicalNetwork(text: string): string {
  const parsed = parseCidrSpelled(text, NETWORK_SPELLING);
  if (!parsed.ok) throw new Error(`invariant: network ${JSON.stringify(text)} passed validation but does not parse`);
  return formatCidr(parsed.cidr);
}

/** The IR's peers and node selectors of a rule's `from`/`to` list (ORed). */
export function peersOf(list: readonly EgressPeerInput[]): { peers: Peer[]; nodes: Selector[] } {
  const peers: Peer[] = [];
  const nodes: Selector[] = [];
  for (const peer of list) {
    if (peer.nodes) nodes.push(labelSelectorToSelector(peer.nodes));
    else if (peer.networks) peers.push(...peer.networks.map((cidr) => ({ ipBlock: { cidr: canonicalNetwork(cidr), except: [] } })));
    else peers.push({ endpoints: endpointsOf(peer) });
  }
  return { peers, nodes };
}

/** The CEL rule of the egress rule types: named ports only with peers that have named ports. */
export function checkNamedPortsWithPeers(
  to: readonly Record<string, unknown>[],
  hasNamedPort: boolean,
  portsPath: (string | number)[],
  ctx: z.RefinementCtx,
): void {
  if (hasNamedPort && to.some((peer) => peer.networks !== undefined || peer.nodes !== undefined || peer.domainNames !== undefined)) {
    addIssue(ctx, portsPath, forbidden('networks/nodes/domainNames peers have no named ports, so a rule with them cannot use namedPort'));
  }
}
