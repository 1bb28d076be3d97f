// The bundle signing key ring (`palisade keys init` JSON) in Secrets Manager, encrypted at rest with
// the account's Secrets Manager key (a key of our own would need the grantees of the app stack in its
// key policy, a reference back from this stack). The stack creates the secret holding no ring (a
// random placeholder); the operator puts the first ring before the app stack deploys (README.md), and
// the scheduled `palisade signing-keys rotate` task (app stack) rotates it from then on.
import { RemovalPolicy, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Construct } from 'constructs';

export class SigningKeys extends Construct {
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: 'palisade bundle signing key ring (JSON from `palisade keys init`; rotated by the key rotation task)',
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
