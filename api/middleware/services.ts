// Hands every request the services built once at start-up.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv, Services } from '../env.ts';

/** Puts the start-up services object on every request's context. */
export function servicesMiddleware(services: Services): MiddlewareHandler<AppEnv> {
  return async function injectServices(c, next) {
    c.set('services', services);
    await next();
  };
}
