// One stored policy by name, as `get policy NAME` and `delete policy NAME` address it: -n and --kind
// narrow the search; a name that still matches several objects is an error listing them.
import type { ApiClient } from '../api/client.ts';
import { listPolicies, type Policy } from '../api/policies.ts';
import { CliError, EXIT } from '../exit-codes.ts';
import { displayName } from './identity.ts';

export async function findPolicy(
  client: ApiClient,
  clusterId: string,
  name: string,
  filter: { namespace?: string | undefined; kind?: string | undefined },
): Promise<Policy> {
  const matches = await listPolicies(client, clusterId, { name, ...filter });
  const where = filter.namespace ? ` in namespace ${filter.namespace}` : '';
  if (matches.length === 0) throw new CliError(EXIT.NOT_FOUND, `no policy named ${name}${where}`, 'list them with `palisade get policies --cluster C`');
  if (matches.length > 1) {
    throw new CliError(
      EXIT.USAGE,
      `${matches.length} policies are named ${name}${where}: ${matches.map(displayName).join(', ')}`,
      'narrow it with -n NAMESPACE or --kind KIND',
    );
  }
  return matches[0]!;
}
