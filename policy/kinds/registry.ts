// The kinds the API accepts, and the entry points that validate, default and normalise any of them.
// Policy kinds become IR policies; the supporting kinds (Calico's Tier and network sets, palisade's
// BandwidthPolicy) become tier definitions, network sets and bandwidth policies, which buildPolicySet
// takes alongside the policies.
import { requiredValue, unsupportedValue } from '../validation/field-errors.ts';
import { findUnstorableValue } from '../validation/text.ts';
import { adminNetworkPolicyKind } from './admin-network-policy/kind.ts';
import { bandwidthPolicyKind } from './bandwidth-policy/kind.ts';
import { baselineAdminNetworkPolicyKind } from './baseline-admin-network-policy/kind.ts';
import { globalNetworkPolicyKind } from './calico-globalnetworkpolicy/kind.ts';
import { globalNetworkSetKind } from './calico-globalnetworkset/kind.ts';
import { hostEndpointKind } from './calico-hostendpoint/kind.ts';
import { calicoNetworkPolicyKind } from './calico-networkpolicy/kind.ts';
import { networkSetKind } from './calico-networkset/kind.ts';
import { stagedGlobalNetworkPolicyKind } from './calico-staged-globalnetworkpolicy/kind.ts';
import { stagedKubernetesNetworkPolicyKind } from './calico-staged-kubernetes-networkpolicy/kind.ts';
import { stagedNetworkPolicyKind } from './calico-staged-networkpolicy/kind.ts';
import { tierKind } from './calico-tier/kind.ts';
import { clusterNetworkPolicyKind } from './cluster-network-policy/kind.ts';
import type { AcceptedKind, AcceptedPolicyKind, ParseObjectResult, ParsePolicyResult } from './define.ts';
import type { PolicyIssue } from './issues.ts';
import { networkPolicyKind } from './kubernetes-networkpolicy/kind.ts';

/** Every policy kind, in the order the API documentation lists them. */
export const ACCEPTED_KINDS: readonly AcceptedPolicyKind[] = [
  networkPolicyKind,
  adminNetworkPolicyKind,
  baselineAdminNetworkPolicyKind,
  clusterNetworkPolicyKind,
  calicoNetworkPolicyKind,
  globalNetworkPolicyKind,
  stagedNetworkPolicyKind,
  stagedGlobalNetworkPolicyKind,
  stagedKubernetesNetworkPolicyKind,
];

/** Kinds that are not policies but shape how policies evaluate (or, BandwidthPolicy, what passes how fast). */
export const SUPPORTING_KINDS: readonly AcceptedKind[] = [tierKind, networkSetKind, globalNetworkSetKind, hostEndpointKind, bandwidthPolicyKind];

export const ALL_KINDS: readonly AcceptedKind[] = [...ACCEPTED_KINDS, ...SUPPORTING_KINDS];

function describe(k: AcceptedKind): string {
  return `${k.apiVersion} ${k.kind}`;
}

/** The kind an object declares among `kinds`, or the issues saying why there is none. */
function resolveKind<K extends AcceptedKind>(input: unknown, kinds: readonly K[]): { kind: K } | { issues: PolicyIssue[] } {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { issues: [{ path: [], message: 'Invalid value: must be an object with apiVersion and kind' }] };
  }
  const { apiVersion, kind } = input as { apiVersion?: unknown; kind?: unknown };
  if (kind === undefined || kind === null || kind === '') return { issues: [{ path: ['kind'], message: requiredValue() }] };
  const sameKind = kinds.filter((k) => k.kind === kind);
  if (sameKind.length === 0) {
    return { issues: [{ path: ['kind'], message: unsupportedValue(kind, kinds.map(describe)) }] };
  }
  const match = sameKind.find((k) => k.apiVersion === apiVersion);
  if (match) return { kind: match };
  const message =
    apiVersion === undefined || apiVersion === null || apiVersion === ''
      ? requiredValue()
      : unsupportedValue(
          apiVersion,
          sameKind.map((k) => k.apiVersion),
        );
  return { issues: [{ path: ['apiVersion'], message }] };
}

/**
 * The kind that may read `input`, or the issues saying why none may: text anywhere in it (keys too)
 * that Postgres cannot store as written, nesting past the bound (../validation/text.ts), checked
 * before anything walks the object recursively; then its apiVersion and kind.
 */
function admit<K extends AcceptedKind>(input: unknown, kinds: readonly K[]): { kind: K } | { issues: PolicyIssue[] } {
  const unstorable = findUnstorableValue(input);
  return unstorable ? { issues: [unstorable] } : resolveKind(input, kinds);
}

/**
 * Validates any accepted policy object, dispatching on apiVersion and kind. On success, `object` is
 * the stored (GET) form and `ir` its IR policy; on failure, issues carry paths into the input.
 * Tiers, network sets and bandwidth policies are not policies: parseObject accepts those too.
 */
export function parsePolicyObject(input: unknown): ParsePolicyResult {
  const resolved = admit(input, ACCEPTED_KINDS);
  return 'kind' in resolved ? resolved.kind.accept(input) : { ok: false, issues: resolved.issues };
}

/** Validates an object of any accepted kind; `resource` says what it is in the IR. */
export function parseObject(input: unknown): ParseObjectResult {
  const resolved = admit(input, ALL_KINDS);
  return 'kind' in resolved ? resolved.kind.parse(input) : { ok: false, issues: resolved.issues };
}
