// What `apply` and `diff` send: the files named by -f (or stdin), read as kubectl reads them and
// marked as the CLI's, so diff compares exactly what apply would write.
import type { CommandContext } from '../command.ts';
import { readStdin } from '../io.ts';
import { required } from '../options.ts';
import { markAppliedByCli } from './identity.ts';
import { readManifests, type SourcedManifest } from './read-manifests.ts';

export interface FilenameValues {
  filename?: string[] | undefined;
  recursive: boolean;
  namespace?: string | undefined;
}

export async function readManifestsToApply(context: CommandContext, values: FilenameValues, command: string): Promise<SourcedManifest[]> {
  const read = await readManifests(required(values.filename, '-f FILE|DIR', command), {
    recursive: values.recursive,
    namespace: values.namespace,
    stdin: () => readStdin(context.io),
  });
  return read.map((entry) => ({ ...entry, manifest: markAppliedByCli(entry.manifest) }));
}
