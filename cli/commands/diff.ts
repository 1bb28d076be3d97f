// `palisade diff -f FILE|DIR --cluster C`: what `apply` would change, as a unified diff of the stored
// objects as written (LIVE) against what apply would write (MERGED), computed by the API's dry-run
// apply so validation, and with --prune the deletions, are the server's. kubectl diff's exit codes: 0 nothing would change, 1
// something would, above 1 an error; pipelines gate on it.
import { findCluster } from '../api/clusters.ts';
import { applyManifests, type Manifest } from '../api/policies.ts';
import { type Command, parseOptions } from '../command.ts';
import { unifiedDiff } from '../diff/unified-diff.ts';
import { EXIT } from '../exit-codes.ts';
import { APPLIED_BY_CLI_MARKER, displayName } from '../manifests/identity.ts';
import { presentManifest } from '../manifests/present-manifest.ts';
import { describeManifestField } from '../manifests/read-manifests.ts';
import { readManifestsToApply } from '../manifests/read-to-apply.ts';
import { clusterOption, filenameOptions, namespaceOption, required } from '../options.ts';
import type { Paint } from '../output/colour.ts';
import { toYaml } from '../output/formats.ts';

const options = { ...filenameOptions, ...clusterOption, ...namespaceOption, prune: { type: 'boolean', default: false } } as const;

const pathOf = (object: { kind: unknown; namespace?: unknown; name: unknown }) => displayName(object).replace(' ', '/');

function objectDiff(before: Manifest | null, after: Manifest | null, path: string): string {
  return unifiedDiff(before ? toYaml(presentManifest(before)) : '', after ? toYaml(presentManifest(after)) : '', {
    before: `LIVE/${path}`,
    after: `MERGED/${path}`,
  });
}

function paintDiff(paint: Paint, diff: string): string {
  return diff.replace(/^.*$/gm, (line) => {
    if (line.startsWith('---') || line.startsWith('+++')) return paint('bold', line);
    if (line.startsWith('@@')) return paint('cyan', line);
    if (line.startsWith('+')) return paint('green', line);
    if (line.startsWith('-')) return paint('red', line);
    return line;
  });
}

export const diffCommand: Command = {
  name: 'diff',
  summary: 'Show what apply would change; exit 0 when nothing would, 1 when something would',
  help: `Usage: palisade diff -f FILE|DIR|- [-f ...] [-R] --cluster C [-n NS] [--prune]

Prints a unified diff between each stored object as written (LIVE) and what apply would write
(MERGED), as the server's dry run reports it. Files are read as apply reads them.
--prune also shows the deletions \`apply --prune\` would make.

Exit codes (kubectl diff's): 0 nothing would change, 1 something would, above 1 an error.`,
  options,
  async run(context) {
    const { values } = parseOptions(context, 'diff', options);
    const clusterName = required(values.cluster, '--cluster', 'diff');
    const manifests = await readManifestsToApply(context, values, 'diff');
    const client = await context.connect();
    const cluster = await findCluster(client, clusterName);
    const results = await applyManifests(
      client,
      cluster.id,
      manifests.map((entry) => entry.manifest),
      { dryRun: true, pruneMarker: values.prune ? APPLIED_BY_CLI_MARKER : undefined, describeField: describeManifestField(manifests) },
    );
    const diffs = results.filter((result) => result.action !== 'unchanged').map((result) => objectDiff(result.before, result.after, pathOf(result)));
    for (const diff of diffs) context.io.stdout.write(paintDiff(context.paint, diff));
    return diffs.length > 0 ? EXIT.CHANGES : EXIT.OK;
  },
};
