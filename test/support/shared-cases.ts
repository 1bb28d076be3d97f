// Where the shared reachability cases are: where PALISADE_SHARED_CASES says, or else
// ../shared/netpol-cases beside the repository (as CI lays it out). Missing, the error names both.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BESIDE_REPOSITORY = resolve(REPO_ROOT, '..', 'shared', 'netpol-cases');
const VARIABLE = 'PALISADE_SHARED_CASES';

/** The folder, or an error that says where it was looked for. */
export function sharedCasesDir(): string {
  const configured = process.env[VARIABLE];
  const dir = configured === undefined ? BESIDE_REPOSITORY : resolve(configured);
  if (existsSync(dir)) return dir;
  throw new Error(
    `the reachability cases are missing: ${VARIABLE} ${configured === undefined ? 'is unset' : `names ${dir}, which does not exist`}, ` +
      `and without it they are looked for beside the repository, in ${BESIDE_REPOSITORY}`,
  );
}
