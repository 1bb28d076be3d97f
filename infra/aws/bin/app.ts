// The CDK app: `npx cdk synth` (offline: no lookups) or `npx cdk deploy --all`. Two stacks, data first:
// PalisadeData (network, Aurora + RDS Proxy, Valkey, signing key secret) and PalisadeApp (Lambda API,
// delivery and worker services, migrations, key rotation, console, alarms). Settings: lib/settings.ts.
import { App } from 'aws-cdk-lib';
import { readSettings } from '../lib/settings.ts';
import { buildStacks } from '../lib/stacks.ts';

const app = new App();
buildStacks(
  app,
  readSettings((name) => app.node.tryGetContext(name)),
);
app.synth();
