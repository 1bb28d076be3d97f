// Middleware that runs only when a condition does not hold: `unless(skip, a, b, c)` is a, b and c in
// turn, or straight on to the next handler when skip(c) is true. Hono's `except` does the same through
// `some` and `every`, which build a fresh composition, with a closure per middleware, on every request:
// with three of them on every API call that was a measurable part of a read's time. This one is built
// once. Like Hono's own composition, a middleware that answers with a Response (a 429) instead of
// calling next makes it the answer, unless one is already final.
import type { Context, MiddlewareHandler, Next } from 'hono';
import type { AppEnv } from '../env.ts';

export function unless(skip: (c: Context<AppEnv>) => boolean, ...middleware: MiddlewareHandler<AppEnv>[]): MiddlewareHandler<AppEnv> {
  return async function runUnlessSkipped(c, next) {
    if (skip(c)) return next();
    await runFrom(middleware, 0, c, next);
  };
}

/**
 * middleware[index] and those after it, then `next`. A function of its own rather than a closure made
 * per request: the tsx and esbuild builds name every named closure as it is made (a defineProperty
 * call each time).
 */
async function runFrom(middleware: MiddlewareHandler<AppEnv>[], index: number, c: Context<AppEnv>, next: Next): Promise<void> {
  const handler = middleware[index];
  if (!handler) return next();
  const answer = await handler(c, (() => runFrom(middleware, index + 1, c, next)) as Next);
  if (answer && !c.finalized) c.res = answer;
}
