// unless(skip, ...middleware): the middleware in order, or none of it when skip holds; a middleware's
// own answer (a 429) is the answer.
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../../api/env.ts';
import { unless } from '../../../api/middleware/unless.ts';

function appWith(ran: string[]) {
  const app = new Hono<AppEnv>();
  const mark = (name: string) => async (_c: unknown, next: () => Promise<void>) => {
    ran.push(name);
    await next();
    ran.push(`${name} after`);
  };
  app.use(
    '*',
    unless(
      (c) => c.req.path === '/skipped',
      mark('first'),
      async (c, next) => (c.req.header('x-refuse') ? c.text('refused', 429) : next()),
      mark('second'),
    ),
  );
  app.get('*', (c) => {
    ran.push('handler');
    return c.text('ok');
  });
  return app;
}

describe('unless', () => {
  it('runs its middleware in order around the handler, none of it when the condition holds, and answers with a refusal', async () => {
    const ran: string[] = [];
    const app = appWith(ran);
    const answered = await app.request('/anything');
    expect([answered.status, await answered.text()]).toEqual([200, 'ok']);
    expect(ran.splice(0)).toEqual(['first', 'second', 'handler', 'second after', 'first after']);

    const skipped = await app.request('/skipped');
    expect([skipped.status, await skipped.text()]).toEqual([200, 'ok']);
    expect(ran.splice(0)).toEqual(['handler']);

    const refused = await app.request('/anything', { headers: { 'x-refuse': 'yes' } });
    expect([refused.status, await refused.text()]).toEqual([429, 'refused']);
    expect(ran.splice(0)).toEqual(['first', 'first after']);
  });
});
