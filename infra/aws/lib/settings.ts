// What a deployment may choose, read once from CDK context (`cdk.json` or `-c name=value`), with the
// defaults that make `npx cdk synth` work offline on a fresh clone once `npm run build` has run.
// Nothing here looks anything up in an account: the stacks are environment-agnostic unless
// `account` and `region` are given.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the build context of the images, and where `npm run build` writes dist/. */
export const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface Settings {
  /** The Lambda bundle directory `npm run build` makes (dist/lambda), holding index.mjs. */
  apiBundleDir: string;
  /** NAT gateways for the private subnets: 1 is cheaper, one per zone survives a zone's loss. */
  natGateways: number;
  /** ACM certificate for the agents' HTTPS endpoint; without one the ALB listens on plain HTTP (a lab). */
  agentCertificateArn: string | undefined;
  /** Where alarms send mail; without one they only go to the SNS topic. */
  alarmEmail: string | undefined;
  env: { account: string; region: string } | undefined;
}

export class SettingsError extends Error {
  readonly code = 'SETTINGS_INVALID';
}

type Context = (name: string) => unknown;

function optionalString(context: Context, name: string): string | undefined {
  const value = context(name);
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new SettingsError(`context ${name} must be a string`);
  return value;
}

export function readSettings(context: Context): Settings {
  const apiBundleDir = resolve(optionalString(context, 'apiBundleDir') ?? join(REPOSITORY_ROOT, 'dist/lambda'));
  if (!existsSync(join(apiBundleDir, 'index.mjs'))) {
    throw new SettingsError(`no Lambda bundle at ${apiBundleDir}: run \`npm run build\` at the repository root first (or pass -c apiBundleDir=DIR)`);
  }
  const natGateways = Number(context('natGateways') ?? 1);
  if (!Number.isInteger(natGateways) || natGateways < 1 || natGateways > 3) throw new SettingsError('context natGateways must be 1, 2 or 3');
  const account = optionalString(context, 'account');
  const region = optionalString(context, 'region');
  if ((account === undefined) !== (region === undefined)) throw new SettingsError('give both account and region, or neither');
  return {
    apiBundleDir,
    natGateways,
    agentCertificateArn: optionalString(context, 'agentCertificateArn'),
    alarmEmail: optionalString(context, 'alarmEmail'),
    env: account && region ? { account, region } : undefined,
  };
}
