// AWS Lambda entry (API Gateway / function URL): the composition root in the api role, with the
// Lambda runtime's configuration (bin/config.ts). Builds and the outbox relay run as `palisade
// worker` elsewhere. The composition is built once per container, on the first request.
import { handle } from 'hono/aws-lambda';
import { compose } from './compose.ts';
import { configFromEnv } from './config.ts';

type Handler = ReturnType<typeof handle>;

async function build(): Promise<Handler> {
  const { app } = await compose(configFromEnv(process.env, 'lambda'), 'api');
  return handle(app);
}

let building: Promise<Handler> | undefined;

export const lambdaHandler = async (...args: Parameters<Handler>) => {
  // A failed build is not kept: the next invocation tries again instead of failing the container for good.
  building ??= build().catch((error: unknown) => {
    building = undefined;
    throw error;
  });
  const handler = await building;
  return handler(...args);
};
