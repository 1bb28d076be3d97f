// Both stacks from one set of settings: what bin/app.ts synthesizes and what the tests assert on.
import type { App } from 'aws-cdk-lib';
import { AppStack } from './app-stack.ts';
import { DataStack } from './data-stack.ts';
import type { Settings } from './settings.ts';

export function buildStacks(app: App, settings: Settings): { data: DataStack; app: AppStack } {
  const data = new DataStack(app, 'PalisadeData', { env: settings.env, natGateways: settings.natGateways });
  const appStack = new AppStack(app, 'PalisadeApp', {
    env: settings.env,
    data,
    apiBundleDir: settings.apiBundleDir,
    agentCertificateArn: settings.agentCertificateArn,
    alarmEmail: settings.alarmEmail,
  });
  return { data, app: appStack };
}
