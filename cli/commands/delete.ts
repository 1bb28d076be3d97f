// `palisade delete -f FILE|DIR` (the objects the files name) or `palisade delete policy NAME`.
// Deletes are idempotent in the API; an object that is not there is reported (exit 4) unless
// --ignore-not-found, after the others are deleted.
import type { ApiClient } from '../api/client.ts';
import { findCluster } from '../api/clusters.ts';
import { deletePolicy, listPolicies, type Policy } from '../api/policies.ts';
import { type Command, parseOptions } from '../command.ts';
import { CliError, EXIT, usageError } from '../exit-codes.ts';
import { readStdin } from '../io.ts';
import { inDeletionOrder } from '../manifests/deletion-order.ts';
import { findPolicy } from '../manifests/find-policy.ts';
import { displayName, identityOf, manifestIdentity, metadataOf } from '../manifests/identity.ts';
import { type ReadOptions, readManifests } from '../manifests/read-manifests.ts';
import { clusterOption, filenameOptions, namespaceOption, required } from '../options.ts';

const options = {
  ...filenameOptions,
  ...clusterOption,
  ...namespaceOption,
  kind: { type: 'string' },
  'ignore-not-found': { type: 'boolean', default: false },
} as const;

async function policiesInFiles(client: ApiClient, clusterId: string, paths: string[], read: ReadOptions) {
  const manifests = await readManifests(paths, read);
  const stored = new Map((await listPolicies(client, clusterId)).map((policy) => [identityOf(policy), policy]));
  const found: Policy[] = [];
  const missing: string[] = [];
  for (const { manifest } of manifests) {
    const policy = stored.get(manifestIdentity(manifest));
    if (policy) found.push(policy);
    else {
      const metadata = metadataOf(manifest);
      missing.push(displayName({ kind: manifest.kind, namespace: metadata.namespace, name: metadata.name }));
    }
  }
  return { found: inDeletionOrder(found), missing };
}

export const deleteCommand: Command = {
  name: 'delete',
  summary: 'Delete the policies named in files, or one policy by name',
  subcommands: ['policy'],
  help: `Usage:
  palisade delete -f FILE|DIR|- [-f ...] [-R] --cluster C [-n NS] [--ignore-not-found]
  palisade delete policy NAME --cluster C [-n NS] [--kind KIND] [--ignore-not-found]`,
  options,
  async run(context) {
    const { values, positionals: words } = parseOptions(context, 'delete', options);
    const [resource, name, extra] = words;
    if (values.filename ? words.length > 0 : resource !== 'policy' || name === undefined || extra !== undefined) {
      throw usageError('delete -f FILE|DIR, or delete policy NAME (not both)', 'delete');
    }
    const clusterName = required(values.cluster, '--cluster', 'delete');
    const client = await context.connect();
    const cluster = await findCluster(client, clusterName);
    let found: Policy[];
    let missing: string[] = [];
    if (values.filename) {
      ({ found, missing } = await policiesInFiles(client, cluster.id, values.filename, {
        recursive: values.recursive,
        namespace: values.namespace,
        stdin: () => readStdin(context.io),
      }));
    } else {
      try {
        found = [await findPolicy(client, cluster.id, name!, { namespace: values.namespace, kind: values.kind })];
      } catch (error) {
        if (!(error instanceof CliError && error.exitCode === EXIT.NOT_FOUND && values['ignore-not-found'])) throw error;
        found = [];
      }
    }
    for (const policy of found) {
      await deletePolicy(client, policy.id);
      context.io.stdout.write(`${displayName(policy)} ${context.paint('red', 'deleted')}\n`);
    }
    if (missing.length > 0 && !values['ignore-not-found']) {
      throw new CliError(EXIT.NOT_FOUND, `not in cluster ${cluster.name}: ${missing.join(', ')}`, 'check the files, or pass --ignore-not-found');
    }
    return EXIT.OK;
  },
};
