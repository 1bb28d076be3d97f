// `palisade explain --from NS/POD --to NS/POD --port 80/TCP`: would this connection be allowed, and
// which tier, policy and rule decide it, for the client's egress and the server's ingress.
import { findCluster } from '../api/clusters.ts';
import { type Explanation, explain, type TraceEntry } from '../api/explain.ts';
import { type Command, parseOptions } from '../command.ts';
import { EXIT, usageError } from '../exit-codes.ts';
import { clusterOption, outputOption, positionals, required } from '../options.ts';
import type { Paint } from '../output/colour.ts';
import { outputFormat, toJson } from '../output/formats.ts';

const options = { ...clusterOption, ...outputOption, from: { type: 'string' }, to: { type: 'string' }, port: { type: 'string' } } as const;

const PROTOCOLS = new Set(['TCP', 'UDP', 'SCTP']);

/** `80`, `80/TCP`, `53/udp`. */
function parsePort(text: string): { port: number; protocol: string } {
  const match = /^(\d{1,5})(?:\/([A-Za-z]+))?$/.exec(text);
  const port = Number(match?.[1]);
  const protocol = (match?.[2] ?? 'TCP').toUpperCase();
  if (!match || port < 1 || port > 65535 || !PROTOCOLS.has(protocol)) throw usageError(`--port ${text}: expected PORT[/TCP|UDP|SCTP], e.g. 80/TCP`, 'explain');
  return { port, protocol };
}

function endpoint(value: string | undefined, flag: string): string {
  const text = required(value, flag, 'explain');
  if (!/^[^/\s]+\/[^/\s]+$/.test(text)) throw usageError(`${flag} ${text}: expected NAMESPACE/POD`, 'explain');
  return text;
}

const verdictOf = (paint: Paint, verdict: 'allow' | 'deny') => (verdict === 'allow' ? paint('green', 'allow') : paint('red', 'deny'));

function traceLines(trace: readonly TraceEntry[]): string[] {
  if (trace.length === 0) return ['    no policy selects it: allowed'];
  return trace.map(
    (entry) => `    tier ${entry.tier}, ${entry.policy}, ${entry.ruleIndex === 'default' ? 'tier default' : `rule ${entry.ruleIndex}`}: ${entry.action}`,
  );
}

function render(paint: Paint, result: Explanation): string {
  const direction = (title: string, part: Explanation['egress']) => [
    `  ${title}: ${verdictOf(paint, part.verdict)}${part.stagedVerdict ? ` (staged policies would: ${part.stagedVerdict})` : ''}`,
    ...traceLines(part.trace),
  ];
  const revision = result.revision === null ? 'no bundle built yet' : `bundle revision ${result.revision}`;
  return `${[
    `${paint('bold', verdictOf(paint, result.verdict))}: ${result.from} -> ${result.to} port ${result.port}/${result.protocol} (${revision})`,
    ...direction(`egress of ${result.from}`, result.egress),
    ...direction(`ingress of ${result.to}`, result.ingress),
  ].join('\n')}\n`;
}

export const explainCommand: Command = {
  name: 'explain',
  summary: 'Would a connection be allowed, and which tier, policy and rule decide it',
  help: `Usage: palisade explain --cluster C --from NS/POD --to NS/POD --port PORT[/TCP|UDP|SCTP] [-o json]

Evaluates the cluster's latest bundle against the pods its agents last reported, in the
dataplane's order. A connection is allowed when the client's egress and the server's ingress
both allow it. Exit code 0 whatever the verdict (read it from the output or -o json).`,
  options,
  async run(context) {
    const { values, positionals: words } = parseOptions(context, 'explain', options);
    positionals(words, [], 'explain');
    const format = outputFormat(values.output, ['table', 'json'], 'explain');
    const query = { from: endpoint(values.from, '--from'), to: endpoint(values.to, '--to'), ...parsePort(required(values.port, '--port', 'explain')) };
    const clusterName = required(values.cluster, '--cluster', 'explain');
    const client = await context.connect();
    const cluster = await findCluster(client, clusterName);
    const result = await explain(client, cluster.id, query);
    context.io.stdout.write(format === 'json' ? toJson(result) : render(context.paint, result));
    return EXIT.OK;
  },
};
