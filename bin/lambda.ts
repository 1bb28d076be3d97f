// AWS Lambda entry (API Gateway / function URL): the composition root in the api role, with the
// Lambda runtime's configuration (bin/config.ts). Builds and the outbox relay run as `palisade
// worker` elsewhere. The composition is built once per container, on the first request.
// A compressed body (the bundle endpoint's br or gzip) goes out base64-encoded with its
// Content-Encoding (hono's adapter encodes any body with a content coding), which API Gateway decodes
// back to the compressed bytes; agents poll the delivery service, but one that reaches the API still
// gets a bundle it can verify.
import { handle } from 'hono/aws-lambda';
import { compose } from './compose.ts';
import { ConfigError, configFromEnv } from './config.ts';

type Handler = ReturnType<typeof handle>;

async function build(): Promise<Handler> {
  const config = configFromEnv(process.env, 'lambda');
  if (config.role !== undefined && config.role !== 'api') throw new ConfigError(`PALISADE_ROLE on Lambda is api, not ${config.role}`);
  const { app } = await compose(config, 'api');
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
