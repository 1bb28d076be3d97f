// The API's errors (application/problem+json) turned into the CLI's: an exit code by status and one
// line naming the first invalid field and the next step.
import { z } from 'zod';
import { CliError, EXIT, type ExitCode } from '../exit-codes.ts';

export const problemSchema = z.object({
  status: z.number(),
  code: z.string(),
  detail: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
type Problem = z.infer<typeof problemSchema>;

function exitCodeOf(status: number): ExitCode {
  if (status === 401 || status === 403) return EXIT.AUTH;
  if (status === 404) return EXIT.NOT_FOUND;
  if (status === 400 || status === 422) return EXIT.REFUSED;
  return EXIT.FAILURE;
}

const hints: Record<number, string> = {
  401: 'run `palisade login` again, or check PALISADE_API_KEY',
  403: 'use a key with a higher role (an admin can make one: `palisade keys create --role editor`)',
  404: 'check the name or id (`palisade clusters list`, `palisade get policies --cluster C`)',
  422: 'fix the field named and try again',
  429: 'wait a moment and try again',
};

/**
 * `describeField` rewrites a field path into the user's terms (apply maps `3.spec.x` to the file and
 * document it came from); without it the path is shown as the API gives it.
 */
export function problemError(problem: Problem, describeField: (path: string) => string = (path) => path): CliError {
  const field = problem.errors?.[0];
  const more = (problem.errors?.length ?? 0) > 1 ? ` (and ${problem.errors!.length - 1} more)` : '';
  const message = field ? `${describeField(field.path) || '(body)'}: ${field.message}${more}` : problem.detail;
  return new CliError(
    exitCodeOf(problem.status),
    `${message} [${problem.code}]`,
    hints[problem.status] ?? (problem.status >= 500 ? 'try again; if it persists, the server logs name the request' : undefined),
  );
}
