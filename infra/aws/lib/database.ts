// Aurora PostgreSQL Serverless v2 behind RDS Proxy. Clients reach only the proxy, only with IAM
// authentication and TLS; the proxy alone reaches the cluster. The cluster's generated owner secret is
// the proxy's, never a client's. `allowClient` is the one way in: a security group edge and
// rds-db:connect for that one database user, so each function and task is granted exactly this.
import { Duration, aws_ec2 as ec2, type aws_iam as iam, aws_logs as logs, RemovalPolicy, aws_rds as rds } from 'aws-cdk-lib';
import { Construct } from 'constructs';

export const DATABASE_NAME = 'palisade';
/** The schema owner the control plane connects as (requests then `set local role` to the app role). */
export const DATABASE_USER = 'palisade';
const POSTGRES_PORT = 5432;

export class Database extends Construct {
  readonly cluster: rds.DatabaseCluster;
  readonly proxy: rds.DatabaseProxy;
  private readonly proxySecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: { vpc: ec2.IVpc }) {
    super(scope, id);
    const clusterSecurityGroup = new ec2.SecurityGroup(this, 'ClusterSecurityGroup', {
      vpc: props.vpc,
      description: 'Aurora: from the RDS Proxy only',
      allowAllOutbound: false,
    });
    this.proxySecurityGroup = new ec2.SecurityGroup(this, 'ProxySecurityGroup', {
      vpc: props.vpc,
      description: 'RDS Proxy: from the control plane functions and tasks only',
      allowAllOutbound: false,
    });
    // addProxy opens the one edge between them (proxy to cluster, on the cluster's port).

    this.cluster = new rds.DatabaseCluster(this, 'Cluster', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_17_7 }),
      credentials: rds.Credentials.fromGeneratedSecret(DATABASE_USER),
      defaultDatabaseName: DATABASE_NAME,
      writer: rds.ClusterInstance.serverlessV2('Writer'),
      readers: [rds.ClusterInstance.serverlessV2('Reader', { scaleWithWriter: true })],
      // 0.5 ACU idles cheaply; the cost model (README.md) runs ~18 ACU at 500,000 agents: 32 leaves headroom.
      serverlessV2MinCapacity: 0.5,
      serverlessV2MaxCapacity: 32,
      // Status upserts and revision checks are I/O-heavy: past ~25% of the bill in I/O, I/O-Optimized is cheaper.
      storageType: rds.DBClusterStorageType.AURORA_IOPT1,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [clusterSecurityGroup],
      storageEncrypted: true,
      iamAuthentication: true,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      backup: { retention: Duration.days(14) },
      cloudwatchLogsExports: ['postgresql'],
      cloudwatchLogsRetention: logs.RetentionDays.ONE_MONTH,
    });

    this.proxy = this.cluster.addProxy('Proxy', {
      // fromGeneratedSecret always gives the cluster a secret: the proxy logs in with it.
      secrets: [this.cluster.secret!],
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [this.proxySecurityGroup],
      iamAuth: true,
      requireTLS: true,
      // Delivery tasks hold one LISTEN connection each (pinned); idle API clients are let go sooner.
      idleClientTimeout: Duration.minutes(30),
    });
  }

  /**
   * The postgres:// URL clients use: the proxy, the password being an IAM token made at connect time,
   * TLS with the proxy's certificate verified (an ACM certificate, which Node's own CA list trusts):
   * the token is a bearer credential, so it goes only to the proxy named here.
   */
  get url(): string {
    return `postgres://${DATABASE_USER}@${this.proxy.endpoint}:${POSTGRES_PORT}/${DATABASE_NAME}?sslmode=verify-full`;
  }

  allowClient(client: ec2.IConnectable, identity: iam.IGrantable, description: string): void {
    client.connections.allowTo(this.proxySecurityGroup, ec2.Port.tcp(POSTGRES_PORT), description);
    this.proxy.grantConnect(identity, DATABASE_USER);
  }
}
