// The flows page's filters: which ones the API applies (the stream and the list take them), and the
// test for the rest, applied to each arriving flow in the browser. Pure.
import type { Flow } from '../client/types.ts';

export interface FlowFilters {
  namespace: string;
  pod: string;
  verdict: '' | Flow['kind'];
  pendingVerdict: '' | 'allow' | 'deny';
  policy: string;
  port: string;
  protocol: '' | 'TCP' | 'UDP' | 'SCTP' | 'ICMP';
  /** Minutes back from now; '' for no lower bound. */
  sinceMinutes: string;
}

export const NO_FILTERS: FlowFilters = { namespace: '', pod: '', verdict: '', pendingVerdict: '', policy: '', port: '', protocol: '', sinceMinutes: '15' };

const PROTOCOL_NUMBERS = { TCP: 6, UDP: 17, SCTP: 132, ICMP: 1 } as const;

/** The query parameters the API understands (`endpoint` is namespace/pod, so only with both). */
export function serverQuery(filters: FlowFilters, now = Date.now()): Record<string, string | undefined> {
  return {
    kind: filters.verdict || undefined,
    pendingVerdict: filters.pendingVerdict || undefined,
    endpoint: filters.namespace && filters.pod ? `${filters.namespace}/${filters.pod}` : undefined,
    since: filters.sinceMinutes ? new Date(now - Number(filters.sinceMinutes) * 60_000).toISOString() : undefined,
  };
}

export function matchesFilters(flow: Flow, filters: FlowFilters): boolean {
  const [namespace, pod] = flow.endpoint.split('/');
  if (filters.namespace && namespace !== filters.namespace) return false;
  if (filters.pod && pod !== filters.pod) return false;
  if (filters.verdict && flow.kind !== filters.verdict) return false;
  if (filters.pendingVerdict && flow.pendingVerdict !== filters.pendingVerdict) return false;
  if (filters.policy && !(flow.rule?.policyId.includes(filters.policy) || flow.pendingRule?.policyId.includes(filters.policy))) return false;
  if (filters.port && flow.port !== Number(filters.port)) return false;
  if (filters.protocol && flow.protocol !== PROTOCOL_NUMBERS[filters.protocol]) return false;
  return true;
}

/** "tier / policy / rule N (Action)", or why nothing decided. */
export function describeRule(rule: Flow['rule'] | undefined): string {
  if (!rule) return 'no policy (allowed by default)';
  const which = rule.ruleIndex === 'default' ? 'tier default' : `rule ${rule.ruleIndex}`;
  return `${rule.tier} / ${rule.policyId} / ${which} (${rule.action})`;
}
