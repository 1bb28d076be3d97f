// The stateful half: network, database, queue cache and signing keys. Deployed first and rarely; the
// app stack takes these by reference, so replacing every function and task never touches the data.
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Database } from './database.ts';
import { Network } from './network.ts';
import { QueueCache } from './queue-cache.ts';
import { SigningKeys } from './signing-keys.ts';

export class DataStack extends Stack {
  readonly network: Network;
  readonly database: Database;
  readonly queueCache: QueueCache;
  readonly signingKeys: SigningKeys;

  constructor(scope: Construct, id: string, props: StackProps & { natGateways: number }) {
    super(scope, id, props);
    this.network = new Network(this, 'Network', { natGateways: props.natGateways });
    this.database = new Database(this, 'Database', { vpc: this.network.vpc });
    this.queueCache = new QueueCache(this, 'QueueCache', { vpc: this.network.vpc });
    this.signingKeys = new SigningKeys(this, 'SigningKeys');
  }
}
