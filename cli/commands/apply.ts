// `palisade apply -f FILE|DIR`: every object in the files created or replaced in one all-or-nothing
// request (POST /v1/apply), each marked as applied by the CLI; with --prune, the same request deletes
// the marked policies the files no longer hold.
import { findCluster } from '../api/clusters.ts';
import { applyManifests } from '../api/policies.ts';
import { type Command, parseOptions } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { APPLIED_BY_CLI_MARKER, displayName } from '../manifests/identity.ts';
import { describeManifestField } from '../manifests/read-manifests.ts';
import { readManifestsToApply } from '../manifests/read-to-apply.ts';
import { clusterOption, filenameOptions, namespaceOption, outputOption, required } from '../options.ts';
import type { Paint } from '../output/colour.ts';
import { outputFormat, toJson } from '../output/formats.ts';
import { progressLine } from '../output/progress.ts';

const options = {
  ...filenameOptions,
  ...clusterOption,
  ...namespaceOption,
  ...outputOption,
  'dry-run': { type: 'boolean', default: false },
  prune: { type: 'boolean', default: false },
} as const;

const actionColour = { created: 'green', configured: 'yellow', unchanged: 'dim', pruned: 'red' } as const;

const line = (paint: Paint, name: string, action: keyof typeof actionColour, dryRun: boolean) =>
  `${name} ${paint(actionColour[action], action)}${dryRun ? ' (dry run)' : ''}\n`;

export const applyCommand: Command = {
  name: 'apply',
  summary: 'Create or replace the policies in files, all or nothing; --prune deletes those removed from them',
  help: `Usage: palisade apply -f FILE|DIR|- [-f ...] [-R] --cluster C [-n NS] [--dry-run] [--prune] [-o json]

Reads YAML or JSON files (a directory's .yaml/.yml/.json files, -R for subdirectories too, and
stdin for -f -), multi-document YAML and List kinds, and applies every object to the cluster in
one request: all are written, or none is. A namespaced object without metadata.namespace goes to -n, or to
"default", as kubectl does. Each object is marked with the annotation palisade.dev/applied-by: cli.

--dry-run   validate and report what would change; write nothing
--prune     also delete the cluster's policies marked as applied by the CLI that the files no
            longer hold (policies created through the API or the console are never pruned),
            in the same all-or-nothing request: if anything is refused, nothing is applied
            and nothing is pruned.`,
  options,
  async run(context) {
    const { values } = parseOptions(context, 'apply', options);
    const format = outputFormat(values.output, ['table', 'json'], 'apply');
    const dryRun = values['dry-run'];
    const clusterName = required(values.cluster, '--cluster', 'apply');
    const manifests = await readManifestsToApply(context, values, 'apply');
    const client = await context.connect();
    const cluster = await findCluster(client, clusterName);
    const progress = progressLine(context.io);

    progress.update(`applying ${manifests.length} objects to cluster ${cluster.name}${values.prune ? ', pruning' : ''}...`);
    const results = await applyManifests(
      client,
      cluster.id,
      manifests.map((entry) => entry.manifest),
      { dryRun, pruneMarker: values.prune ? APPLIED_BY_CLI_MARKER : undefined, describeField: describeManifestField(manifests) },
    ).finally(() => progress.done());

    if (format === 'json') {
      const applied = results.filter((result) => result.action !== 'pruned');
      const objects = applied.map(({ kind, namespace, name, action, id }) => ({ kind, namespace, name, action, id }));
      const pruned = results.filter((result) => result.action === 'pruned').map(displayName);
      context.io.stdout.write(toJson({ dryRun, cluster: cluster.name, results: objects, pruned }));
    } else {
      for (const result of results) context.io.stdout.write(line(context.paint, displayName(result), result.action, dryRun));
    }
    return EXIT.OK;
  },
};
