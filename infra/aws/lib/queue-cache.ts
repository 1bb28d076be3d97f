// ElastiCache Serverless (Valkey) for BullMQ: TLS and encryption at rest are built into the serverless
// engine; the isolated subnets and one security group edge per client are the only ways in.
import { aws_ec2 as ec2, aws_elasticache as elasticache } from 'aws-cdk-lib';
import { Construct } from 'constructs';

const VALKEY_PORT = 6379;

export class QueueCache extends Construct {
  readonly cache: elasticache.CfnServerlessCache;
  private readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: { vpc: ec2.IVpc }) {
    super(scope, id);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Valkey: from the workers only',
      allowAllOutbound: false,
    });
    this.cache = new elasticache.CfnServerlessCache(this, 'Cache', {
      engine: 'valkey',
      majorEngineVersion: '8',
      serverlessCacheName: `${id.toLowerCase()}-${this.node.addr.slice(0, 8)}`,
      description: 'palisade BullMQ queues (bundle builds, outbox relay, onboarding, retention)',
      subnetIds: props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }).subnetIds,
      securityGroupIds: [this.securityGroup.securityGroupId],
      // Queues hold job ids and small payloads: 5 GB and 50k ECPU/s bound the bill, far above need.
      cacheUsageLimits: { dataStorage: { maximum: 5, unit: 'GB' }, ecpuPerSecond: { maximum: 50_000 } },
      snapshotRetentionLimit: 1,
    });
  }

  /** rediss://: the serverless engine speaks TLS only. */
  get url(): string {
    return `rediss://${this.cache.attrEndpointAddress}:${this.cache.attrEndpointPort}`;
  }

  allowClient(client: ec2.IConnectable, description: string): void {
    client.connections.allowTo(this.securityGroup, ec2.Port.tcp(VALKEY_PORT), description);
  }
}
