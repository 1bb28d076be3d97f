// `palisade get policies|policy [NAME]`: the cluster's stored policies as a table, or their manifests
// as YAML or JSON. A manifest printed here, saved to a file, applies back with nothing changed: it is
// the object as it was written (the API keeps it so), the CLI's mark included.
import { findCluster } from '../api/clusters.ts';
import { listPolicies, type Policy } from '../api/policies.ts';
import { type Command, parseOptions } from '../command.ts';
import { EXIT, usageError } from '../exit-codes.ts';
import { findPolicy } from '../manifests/find-policy.ts';
import { groupOf, isAppliedByCli } from '../manifests/identity.ts';
import { presentManifest } from '../manifests/present-manifest.ts';
import { clusterOption, namespaceOption, outputOption, required } from '../options.ts';
import { type OutputFormat, outputFormat, toJson, toYaml } from '../output/formats.ts';
import { age, renderTable } from '../output/table.ts';

const options = { ...clusterOption, ...namespaceOption, ...outputOption, kind: { type: 'string' } } as const;

const RESOURCES = new Set(['policies', 'policy']);

function render(policies: readonly Policy[], format: OutputFormat, single: boolean): string {
  if (format === 'json' || format === 'yaml') {
    const manifests = policies.map((policy) => presentManifest(policy.manifest));
    const document = single ? manifests[0] : { apiVersion: 'v1', kind: 'List', items: manifests };
    return format === 'json' ? toJson(document) : toYaml(document);
  }
  const wide = format === 'wide';
  const headers = ['kind', 'namespace', 'name', 'rules', 'age', ...(wide ? ['group', 'applied by', 'id'] : [])];
  const rows = policies.map((policy) => [
    policy.kind,
    policy.namespace ?? '',
    policy.name,
    String(policy.ruleCount),
    age(policy.createdAt),
    ...(wide ? [groupOf(policy.apiVersion), isAppliedByCli(policy.manifest) ? 'cli' : '-', policy.id] : []),
  ]);
  return renderTable(headers, rows);
}

export const getCommand: Command = {
  name: 'get',
  summary: "Show a cluster's policies (table, or manifests with -o yaml|json)",
  subcommands: ['policies', 'policy'],
  help: `Usage:
  palisade get policies --cluster C [-n NS] [--kind KIND] [-o table|wide|yaml|json]
  palisade get policy NAME --cluster C [-n NS] [--kind KIND] [-o table|wide|yaml|json]

Without -n, every namespace (and the cluster-scoped objects) is listed. With -o yaml or json,
a policy prints as its stored manifest and a list as a List: apply takes either back unchanged.`,
  options,
  async run(context) {
    const { values, positionals: words } = parseOptions(context, 'get', options);
    const [resource, name, extra] = words;
    if (!resource || !RESOURCES.has(resource))
      throw usageError(resource ? `cannot get ${resource}: get policies or get policy NAME` : 'get what? policies, or policy NAME', 'get');
    if (extra !== undefined) throw usageError(`unexpected argument ${extra}`, 'get');
    const format = outputFormat(values.output, ['table', 'wide', 'yaml', 'json'], 'get');
    const clusterName = required(values.cluster, '--cluster', 'get');
    const client = await context.connect();
    const cluster = await findCluster(client, clusterName);
    const filter = { namespace: values.namespace, kind: values.kind };
    if (name !== undefined) {
      context.io.stdout.write(render([await findPolicy(client, cluster.id, name, filter)], format, true));
      return EXIT.OK;
    }
    const policies = await listPolicies(client, cluster.id, filter);
    if (policies.length === 0 && (format === 'table' || format === 'wide')) context.io.stderr.write(`no policies in cluster ${cluster.name}\n`);
    else context.io.stdout.write(render(policies, format, false));
    return EXIT.OK;
  },
};
