// `palisade flows --cluster C [--follow]`: flow logs, a table for a person at a terminal and JSON
// lines for everyone else (each line one flow, as the API gives it), filtered by verdict and
// namespace. --follow streams new flows (server-sent events) until Ctrl-C.
import { findCluster } from '../api/clusters.ts';
import { flowStream } from '../api/flow-stream.ts';
import type { Flow } from '../api/flows.ts';
import { type Command, parseOptions } from '../command.ts';
import { EXIT, usageError } from '../exit-codes.ts';
import { clusterOption, namespaceOption, outputOption, positionals, required } from '../options.ts';
import type { Paint } from '../output/colour.ts';
import { outputFormat } from '../output/formats.ts';

const options = {
  ...clusterOption,
  ...namespaceOption,
  ...outputOption,
  follow: { type: 'boolean', short: 'f', default: false },
  verdict: { type: 'string' },
} as const;

const KINDS = { allow: 'allowed', deny: 'denied', log: 'logged' } as const;
const VERDICT_WORDS = { allowed: 'allow', denied: 'deny', logged: 'log' } as const;
const PROTOCOL_NAMES: Record<number, string> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6', 132: 'SCTP' };

/** Fixed widths: a followed table cannot measure rows it has not seen yet. */
const COLUMNS = [
  ['time', 8],
  ['verdict', 7],
  ['direction', 9],
  ['endpoint', 28],
  ['remote', 18],
  ['port', 11],
  ['count', 6],
  ['rule', 0],
] as const;

const row = (cells: readonly string[]) =>
  `${cells
    .map((cell, index) => cell.padEnd(COLUMNS[index]![1]))
    .join('   ')
    .trimEnd()}\n`;

function tableRow(paint: Paint, flow: Flow): string {
  const word = VERDICT_WORDS[flow.kind].padEnd(COLUMNS[1][1]);
  const verdict = flow.kind === 'allowed' ? paint('green', word) : flow.kind === 'denied' ? paint('red', word) : word;
  const rule = flow.rule ? `${flow.rule.tier}/${flow.rule.policyId}#${flow.rule.ruleIndex} ${flow.rule.action}` : '-';
  return row([
    flow.endTime.slice(11, 19),
    verdict,
    flow.direction,
    flow.endpoint,
    flow.remote,
    `${flow.port}/${PROTOCOL_NAMES[flow.protocol] ?? flow.protocol}`,
    String(flow.count),
    rule,
  ]);
}

export const flowsCommand: Command = {
  name: 'flows',
  summary: 'Flow logs: who talked to whom and which rule decided; --follow for new ones',
  help: `Usage: palisade flows --cluster C [--follow] [--verdict allow|deny|log] [-n NS] [-o table|json]

Prints the cluster's stored flow logs, oldest first, then with --follow (-f) each new one as
agents ship it (a server-sent event stream that resumes where it left off after a dropped
connection), until Ctrl-C. A table on a terminal, JSON lines otherwise (-o forces either).
-n keeps the flows of endpoints in that namespace.`,
  options,
  async run(context) {
    const { values, positionals: words } = parseOptions(context, 'flows', options);
    positionals(words, [], 'flows');
    const format = outputFormat(values.output ?? (context.io.isTTY ? 'table' : 'json'), ['table', 'json'], 'flows');
    const verdict = values.verdict;
    if (verdict !== undefined && !(verdict in KINDS)) throw usageError(`--verdict ${verdict}: expected allow, deny or log`, 'flows');
    const clusterName = required(values.cluster, '--cluster', 'flows');
    const client = await context.connect();
    const cluster = await findCluster(client, clusterName);
    const query = { kind: verdict ? KINDS[verdict as keyof typeof KINDS] : undefined };
    const inNamespace = (flow: Flow) => values.namespace === undefined || flow.endpoint.startsWith(`${values.namespace}/`);

    if (format === 'table') context.io.stdout.write(row(COLUMNS.map(([title]) => title.toUpperCase())));
    const signal = context.io.signal;
    try {
      for await (const flow of flowStream(client, cluster.id, query, {
        follow: values.follow,
        signal,
        onDrop: (reason, retryInMs) => context.io.stderr.write(`flow stream dropped (${reason}); reconnecting in ${Math.ceil(retryInMs / 1_000)}s\n`),
      })) {
        if (!inNamespace(flow)) continue;
        context.io.stdout.write(format === 'table' ? tableRow(context.paint, flow) : `${JSON.stringify(flow)}\n`);
      }
    } catch (error) {
      // Ctrl-C while a request is in flight ends the follow like any other Ctrl-C.
      if (!signal?.aborted) throw error;
    }
    return EXIT.OK;
  },
};
