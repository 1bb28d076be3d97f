// The flows page's filters: the query parameters the API's flow list and stream take for them
// (api/schemas/flows.ts flowFilterQuery, which the server validates), the check that keeps the page from
// asking with a value the server would refuse, and the one filter the API cannot apply (a pod without
// its namespace), tested on each arriving flow in the browser. Pure.
import type { Flow } from '../client/types.ts';

export interface FlowFilters {
  namespace: string;
  pod: string;
  verdict: '' | Flow['kind'];
  pendingVerdict: '' | 'allow' | 'deny';
  policy: string;
  port: string;
  protocol: '' | keyof typeof PROTOCOL_NUMBERS;
  /** Minutes back from now; '' for no lower bound. */
  sinceMinutes: string;
}

export const NO_FILTERS: FlowFilters = { namespace: '', pod: '', verdict: '', pendingVerdict: '', policy: '', port: '', protocol: '', sinceMinutes: '15' };

export const PROTOCOL_NUMBERS = { TCP: 6, UDP: 17, SCTP: 132, ICMP: 1, ICMPv6: 58 } as const;

/** The server's rule for a namespace (a DNS label), so a typo is named here rather than refused there. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** What is wrong with each filter the server would refuse, by filter name; empty when all are fine. */
export function filterProblems(filters: FlowFilters): Partial<Record<keyof FlowFilters, string>> {
  const problems: Partial<Record<keyof FlowFilters, string>> = {};
  const namespace = filters.namespace.trim();
  if (namespace && (namespace.length > 63 || !DNS_LABEL.test(namespace)))
    problems.namespace = 'must be a namespace name: lower-case letters, digits and dashes';
  const port = filters.port.trim();
  if (port && !(/^\d{1,5}$/.test(port) && Number(port) <= 65_535)) problems.port = 'must be a whole number from 0 to 65535';
  if (filters.pod.trim().length > 253) problems.pod = 'must be at most 253 characters';
  if (filters.policy.trim().length > 512) problems.policy = 'must be at most 512 characters';
  return problems;
}

/** The query parameters the API understands (`endpoint` is namespace/pod, so only with both). */
export function serverQuery(filters: FlowFilters, now = Date.now()): Record<string, string | undefined> {
  const namespace = filters.namespace.trim();
  const pod = filters.pod.trim();
  return {
    kind: filters.verdict || undefined,
    pendingVerdict: filters.pendingVerdict || undefined,
    namespace: namespace && !pod ? namespace : undefined,
    endpoint: namespace && pod ? `${namespace}/${pod}` : undefined,
    policy: filters.policy.trim() || undefined,
    port: filters.port.trim() || undefined,
    protocol: filters.protocol ? String(PROTOCOL_NUMBERS[filters.protocol]) : undefined,
    since: filters.sinceMinutes ? new Date(now - Number(filters.sinceMinutes) * 60_000).toISOString() : undefined,
  };
}

/** The filter left to the browser: a pod named without its namespace (the API filters by namespace/pod). */
export function matchesLocally(flow: Flow, filters: FlowFilters): boolean {
  const pod = filters.pod.trim();
  if (!pod || filters.namespace.trim()) return true;
  return flow.endpoint.slice(flow.endpoint.indexOf('/') + 1) === pod;
}

/** "tier / policy / rule N (Action)", or why nothing decided. */
export function describeRule(rule: Flow['rule'] | undefined): string {
  if (!rule) return 'no policy (allowed by default)';
  const which = rule.ruleIndex === 'default' ? 'tier default' : `rule ${rule.ruleIndex}`;
  return `${rule.tier} / ${rule.policyId} / ${which} (${rule.action})`;
}
