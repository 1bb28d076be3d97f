// Where the shared reachability cases are: ../shared/netpol-cases beside the repository (as CI lays
// it out), or the workspace's copy.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED_CASE_CANDIDATES = [resolve(REPO_ROOT, '..', 'shared', 'netpol-cases'), '/work/shared/netpol-cases'];

/** The folder, or an error that says where it was looked for. */
export function sharedCasesDir(): string {
  const found = SHARED_CASE_CANDIDATES.find((dir) => existsSync(dir));
  if (!found) throw new Error(`the reachability cases are missing: looked for ${SHARED_CASE_CANDIDATES.join(' and ')}`);
  return found;
}
