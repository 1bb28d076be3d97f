// The settings the AWS deployment passes (infra/aws/lib/runtime-environment.ts), as bin/config.ts
// reads them: the role, RDS IAM auth, where the key ring lives and whether to migrate at start; bad or
// contradictory values stop the process naming the variables.
import { describe, expect, it } from 'vitest';
import { configFromEnv } from '../../../bin/config.ts';

const DATABASE_URL = 'postgres://palisade@proxy.example:5432/palisade';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:palisade/signing-keys-AbCdEf';

describe('the AWS runtime settings', () => {
  it('read the role, IAM auth, the key ring secret and the migration choice', () => {
    const config = configFromEnv({
      PALISADE_ROLE: 'delivery',
      DATABASE_URL,
      DATABASE_IAM_AUTH: 'true',
      AWS_REGION: 'eu-west-1',
      SIGNING_KEYS_SECRET_ARN: SECRET_ARN,
      MIGRATE_ON_START: 'false',
    });
    expect(config).toMatchObject({
      role: 'delivery',
      databaseIamAuth: true,
      signingKeysSecretArn: SECRET_ARN,
      signingKeysRefreshMs: 300_000,
      migrateOnStart: false,
      aws: { region: 'eu-west-1' },
    });
  });

  it('migrate at start on a server and never on Lambda, unless MIGRATE_ON_START says otherwise', () => {
    expect(configFromEnv({}).migrateOnStart).toBe(true);
    expect(configFromEnv({ DATABASE_URL, SIGNING_KEYS_SECRET_ARN: SECRET_ARN }, 'lambda').migrateOnStart).toBe(false);
    expect(configFromEnv({ MIGRATE_ON_START: 'false' }).migrateOnStart).toBe(false);
  });

  it('prepare statements on a server and never behind RDS Proxy on Lambda, unless DATABASE_PREPARED_STATEMENTS says otherwise', () => {
    expect(configFromEnv({}).databasePreparedStatements).toBe(true);
    expect(configFromEnv({ DATABASE_URL, SIGNING_KEYS_SECRET_ARN: SECRET_ARN }, 'lambda').databasePreparedStatements).toBe(false);
    expect(configFromEnv({ DATABASE_PREPARED_STATEMENTS: 'false' }).databasePreparedStatements).toBe(false);
    expect(
      configFromEnv({ DATABASE_URL, SIGNING_KEYS_SECRET_ARN: SECRET_ARN, DATABASE_PREPARED_STATEMENTS: 'true' }, 'lambda').databasePreparedStatements,
    ).toBe(true);
  });

  it('hold a rate limit refusal a second on a server and not at all on Lambda, which bills the wait', () => {
    expect(configFromEnv({}).fairness.refusalHoldMs).toBe(1_000);
    expect(configFromEnv({ DATABASE_URL, SIGNING_KEYS_SECRET_ARN: SECRET_ARN }, 'lambda').fairness.refusalHoldMs).toBe(0);
    expect(configFromEnv({ RATE_LIMIT_REFUSAL_HOLD_MS: '250' }).fairness.refusalHoldMs).toBe(250);
  });

  it.each([
    [{ PALISADE_ROLE: 'scheduler' }, 'PALISADE_ROLE'],
    [{ DATABASE_IAM_AUTH: 'true', DATABASE_URL }, 'AWS_REGION'],
    [{ DATABASE_IAM_AUTH: 'yes' }, 'DATABASE_IAM_AUTH'],
    [{ DATABASE_PREPARED_STATEMENTS: 'on' }, 'DATABASE_PREPARED_STATEMENTS'],
    [{ RATE_LIMIT_REFUSAL_HOLD_MS: '60000' }, 'RATE_LIMIT_REFUSAL_HOLD_MS'],
    [{ SIGNING_KEYS_SECRET_ARN: 'palisade/signing-keys' }, 'SIGNING_KEYS_SECRET_ARN: must be a Secrets Manager secret ARN'],
    [{ SIGNING_KEYS: '{}', SIGNING_KEYS_SECRET_ARN: SECRET_ARN }, 'the key ring has one home'],
    [{ PALISADE_CLOUDWATCH_NAMESPACE: 'no spaces allowed' }, 'PALISADE_CLOUDWATCH_NAMESPACE'],
  ])('refuse %j, naming %s', (env, message) => {
    expect(() => configFromEnv(env)).toThrow(message);
  });

  it('let Lambda take the key ring from the secret instead of SIGNING_KEYS', () => {
    expect(configFromEnv({ DATABASE_URL, SIGNING_KEYS_SECRET_ARN: SECRET_ARN }, 'lambda').signingKeysSecretArn).toBe(SECRET_ARN);
    expect(() => configFromEnv({ DATABASE_URL }, 'lambda')).toThrow('SIGNING_KEYS_SECRET_ARN');
  });
});
