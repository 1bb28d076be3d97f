// The environment every control plane process gets, by role. Every name is one bin/config.ts declares
// (test/runtime-contract.test.ts fails otherwise): DATABASE_URL, LONG_POLL_MAX_SECONDS, ..., and
// PALISADE_ROLE (which parts a process runs), DATABASE_IAM_AUTH (connect with an RDS IAM token as the
// password), DATABASE_PREPARED_STATEMENTS=false (RDS Proxy pins every session that prepares a
// statement, which would undo its multiplexing), MIGRATE_ON_START=false (the migration task runs `palisade migrate` before a new version
// takes traffic, so servers only check the schema is current) and SIGNING_KEYS_SECRET_ARN (every
// process reads the ring from Secrets Manager itself, and re-reads it, so a rotation reaches running
// tasks without a restart). AWS_REGION is the runtime's own (Lambda and Fargate set it).
import type { aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
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
  return { DATABASE_URL: database.url, DATABASE_IAM_AUTH: 'true', DATABASE_PREPARED_STATEMENTS: 'false', LOG_LEVEL: 'info' };
}

export function controlPlaneEnvironment(role: Role, database: Database, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...databaseEnvironment(database),
    PALISADE_ROLE: role,
    MIGRATE_ON_START: 'false',
    DEMO_TENANT: 'false',
    MAX_BODY_BYTES: String(MAX_BODY_BYTES),
    ...extra,
  };
}

/** The key ring by reference: the secret's ARN, never the keys (each reader is granted read on that one secret). */
export function signingKeysEnvironment(secret: secretsmanager.ISecret): Record<string, string> {
  return { SIGNING_KEYS_SECRET_ARN: secret.secretArn };
}
