// `palisade agents --cluster C`: each node's agent as it last reported: the bundle revision it
// enforces, how long ago it reported, and the first of its errors.
import { type AgentStatus, listAgents } from '../api/agents.ts';
import { findCluster } from '../api/clusters.ts';
import { type Command, parseOptions } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { clusterOption, outputOption, positionals, required } from '../options.ts';
import { outputFormat, toJson, toYaml } from '../output/formats.ts';
import { age, renderTable } from '../output/table.ts';

const options = { ...clusterOption, ...outputOption } as const;

function errorsCell(agent: AgentStatus): string {
  const [first] = agent.errors;
  if (!first) return '';
  return `${first.code}: ${first.message}${agent.errors.length > 1 ? ` (+${agent.errors.length - 1})` : ''}`;
}

export const agentsCommand: Command = {
  name: 'agents',
  summary: "Each node's agent: the revision it enforces, when it last reported, its errors",
  help: `Usage: palisade agents --cluster C [-o table|wide|json|yaml]

One line per node. REVISION is the bundle revision the node enforces; LAST SEEN is the
age of its last status report; ERRORS is the first error it reports (compile, verify, attach).`,
  options,
  async run(context) {
    const { values, positionals: words } = parseOptions(context, 'agents', options);
    positionals(words, [], 'agents');
    const format = outputFormat(values.output, ['table', 'wide', 'json', 'yaml'], 'agents');
    const clusterName = required(values.cluster, '--cluster', 'agents');
    const client = await context.connect();
    const cluster = await findCluster(client, clusterName);
    const agents = await listAgents(client, cluster.id);
    if (format === 'json' || format === 'yaml') {
      context.io.stdout.write((format === 'json' ? toJson : toYaml)({ items: agents }));
      return EXIT.OK;
    }
    const wide = format === 'wide';
    const rows = agents.map((agent) => [
      agent.nodeName,
      agent.appliedRevision === null ? '-' : String(agent.appliedRevision),
      age(agent.reportedAt),
      ...(wide ? [agent.agentVersion ?? '-'] : []),
      agent.errors.length === 0 ? context.paint('green', 'none') : context.paint('red', errorsCell(agent)),
    ]);
    if (rows.length === 0) context.io.stderr.write(`no agent has reported for cluster ${cluster.name} yet\n`);
    else context.io.stdout.write(renderTable(['node', 'revision', 'last seen', ...(wide ? ['version'] : []), 'errors'], rows));
    return EXIT.OK;
  },
};
