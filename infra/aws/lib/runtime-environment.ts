// The environment every control plane process gets, by role. The names are the ones bin/config.ts and
// bin/lambda.ts read (DATABASE_URL, REDIS_URL, SIGNING_KEYS, LONG_POLL_MAX_SECONDS, ...), plus
// PALISADE_ROLE (which parts a process runs), DATABASE_IAM_AUTH (connect with an RDS IAM token as
// the password) and SIGNING_KEYS_SECRET_ARN (read or rotate the ring in Secrets Manager itself).
import { aws_ecs as ecs, type aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import type { Database } from './database.ts';

/** api: the REST API (Lambda); delivery: the agent endpoints (long-polls); worker: jobs. (`all`, every part in one process, is the embedded default's and no deployment's here.) */
export type Role = 'api' | 'delivery' | 'worker';

export const SERVER_PORT = 8080;
/** The agents' long-poll: answered with 304 before the ALB's idle timeout (see delivery.ts) cuts it. */
export const LONG_POLL_MAX_SECONDS = 55;
/** Largest request body the API accepts: below the Lambda payload limit (6 MB) with room to spare. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** What any process that opens the database needs (the migration task has nothing more). */
export function databaseEnvironment(database: Database): Record<string, string> {
  return { DATABASE_URL: database.url, DATABASE_IAM_AUTH: 'true', LOG_LEVEL: 'info' };
}

export function controlPlaneEnvironment(role: Role, database: Database, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...databaseEnvironment(database),
    PALISADE_ROLE: role,
    DEMO_TENANT: 'false',
    MAX_BODY_BYTES: String(MAX_BODY_BYTES),
    ...extra,
  };
}

/** Tasks get the ring through ECS secret injection: never in the task definition, read at task start. */
export function signingKeySecrets(secret: secretsmanager.ISecret): Record<string, ecs.Secret> {
  return { SIGNING_KEYS: ecs.Secret.fromSecretsManager(secret) };
}
