// `palisade clusters list|get|create`: the tenant's clusters.
import { type Cluster, createCluster, findCluster, listClusters } from '../api/clusters.ts';
import { type Command, parseOptions } from '../command.ts';
import { EXIT, usageError } from '../exit-codes.ts';
import { outputOption, positionals } from '../options.ts';
import { type OutputFormat, outputFormat, toJson, toYaml } from '../output/formats.ts';
import { age, renderTable } from '../output/table.ts';

const options = { ...outputOption, provider: { type: 'string' } } as const;

function render(clusters: readonly Cluster[], format: OutputFormat, single: boolean): string {
  if (format === 'json') return toJson(single ? clusters[0] : { items: clusters });
  if (format === 'yaml') return toYaml(single ? clusters[0] : { items: clusters });
  const wide = format === 'wide';
  const headers = ['name', 'provider', 'status', 'age', ...(wide ? ['id'] : [])];
  return renderTable(
    headers,
    clusters.map((cluster) => [cluster.name, cluster.provider, cluster.status, age(cluster.createdAt), ...(wide ? [cluster.id] : [])]),
  );
}

export const clustersCommand: Command = {
  name: 'clusters',
  summary: 'List, show or register clusters',
  subcommands: ['list', 'get', 'create'],
  help: `Usage:
  palisade clusters list [-o table|wide|json|yaml]
  palisade clusters get NAME|ID [-o table|wide|json|yaml]
  palisade clusters create NAME [--provider eks|gke|aks|kubeadm|k3s|kind|other] [-o ...]`,
  options,
  async run(context) {
    const { values, positionals: words } = parseOptions(context, 'clusters', options);
    const [action, ...rest] = words;
    if (action !== 'list' && action !== 'get' && action !== 'create') {
      throw usageError(action ? `unknown action ${action}: clusters list|get|create` : 'clusters needs an action: list, get or create', 'clusters');
    }
    const [name] = positionals(rest, action === 'list' ? [] : ['NAME'], 'clusters');
    const format = outputFormat(values.output, ['table', 'wide', 'json', 'yaml'], 'clusters');
    const client = await context.connect();
    if (action === 'list') {
      context.io.stdout.write(render(await listClusters(client), format, false));
    } else if (action === 'get') {
      context.io.stdout.write(render([await findCluster(client, name!)], format, true));
    } else {
      const cluster = await createCluster(client, { name: name!, ...(values.provider && { provider: values.provider }) });
      if (format === 'table') context.io.stdout.write(`cluster ${cluster.name} created (id ${cluster.id})\n`);
      else context.io.stdout.write(render([cluster], format, true));
    }
    return EXIT.OK;
  },
};
