// One-line summaries of rules and terms for the program's debug dump (notes next to the code).
import type { CidrSet, MatchTerm, PortRange, ResolvedRule } from '../../../policy/evaluation/endpoint-policy.ts';

const MAX_LISTED_BLOCKS = 3;

function describeSet(set: CidrSet): string {
  if (set.length === 0) return '{} (no address)';
  const blocks = set.slice(0, MAX_LISTED_BLOCKS).map((b) => (b.except.length ? `${b.cidr} except ${b.except.join(',')}` : b.cidr));
  const more = set.length > MAX_LISTED_BLOCKS ? ` +${set.length - MAX_LISTED_BLOCKS} more` : '';
  return `{${blocks.join(', ')}${more}}`;
}

function describePorts(ranges: readonly PortRange[]): string {
  return ranges.map((r) => (r.first === r.last ? `${r.first}` : `${r.first}-${r.last}`)).join(',');
}

export function describeTerm(term: MatchTerm): string {
  const proto = term.protocol === 'any' ? 'any protocol' : term.protocol;
  const ports = term.ports === 'any' ? '' : ` ${describePorts(term.ports)}`;
  const remote = term.remote === 'any' ? '' : ` remote ${describeSet(term.remote)}`;
  const number = term.protocolNumber !== undefined ? ` protocol ${term.protocolNumber}` : '';
  const version = term.ipVersion !== undefined ? ` IPv${term.ipVersion}` : '';
  const icmp = term.icmp ? ` type ${term.icmp.type}${term.icmp.code !== undefined ? ` code ${term.icmp.code}` : ''}` : '';
  const src = term.srcPorts ? ` from ${describePorts(term.srcPorts)}` : '';
  const except = term.except ? ` except (${term.except.map(describeTerm).join(' | ')})` : '';
  return `${proto}${number}${version}${icmp}${ports}${src}${remote}${except}`;
}

export function describeRule(rule: ResolvedRule): string {
  if (rule.terms.length === 0) return 'matches nothing';
  return rule.terms.map(describeTerm).join(' | ');
}
