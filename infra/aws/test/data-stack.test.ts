// The stateful stack: network tiers, Aurora Serverless v2 behind an IAM-only RDS Proxy, Valkey, the
// signing key secret, and the only way each is reached.
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { resourceNamed, resourcesOf, synthesize } from './synthesize.ts';

let data: ReturnType<typeof synthesize>['data'];

beforeAll(() => {
  ({ data } = synthesize());
});

describe('the network', () => {
  it('has public, private and isolated subnets in two zones, with the NAT gateways asked for', () => {
    data.resourceCountIs('AWS::EC2::Subnet', 6);
    data.resourceCountIs('AWS::EC2::NatGateway', 2);
    data.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', ServiceName: Match.objectLike({}) });
  });
});

describe('the database', () => {
  it('is Aurora PostgreSQL Serverless v2 on I/O-Optimized storage, encrypted, with IAM authentication, protected from deletion', () => {
    data.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      StorageEncrypted: true,
      EnableIAMDatabaseAuthentication: true,
      DeletionProtection: true,
      DatabaseName: 'palisade',
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 32 },
      StorageType: 'aurora-iopt1',
      EnableCloudwatchLogsExports: ['postgresql'],
    });
    data.resourceCountIs('AWS::RDS::DBInstance', 2);
    for (const [, instance] of resourcesOf(data, 'AWS::RDS::DBInstance')) {
      expect(instance.Properties).toMatchObject({ DBInstanceClass: 'db.serverless', PubliclyAccessible: false });
    }
  });

  it('lives in the isolated subnets', () => {
    const [, group] = resourceNamed(data, 'AWS::RDS::DBSubnetGroup', 'DatabaseCluster');
    const isolated = resourcesOf(data, 'AWS::EC2::Subnet')
      .filter(([id]) => id.includes('data'))
      .map(([id]) => ({ Ref: id }));
    expect(group.Properties!.SubnetIds).toEqual(isolated);
  });

  it('is reached through RDS Proxy only, which requires IAM authentication and TLS', () => {
    data.hasResourceProperties('AWS::RDS::DBProxy', {
      EngineFamily: 'POSTGRESQL',
      RequireTLS: true,
      Auth: [Match.objectLike({ AuthScheme: 'SECRETS', IAMAuth: 'REQUIRED' })],
    });
    const [clusterGroup] = resourceNamed(data, 'AWS::EC2::SecurityGroup', 'DatabaseClusterSecurityGroup');
    const [proxyGroup] = resourceNamed(data, 'AWS::EC2::SecurityGroup', 'DatabaseProxySecurityGroup');
    const ingress = resourcesOf(data, 'AWS::EC2::SecurityGroupIngress').filter(([, rule]) => JSON.stringify(rule.Properties!.GroupId).includes(clusterGroup));
    expect(ingress.map(([, rule]) => rule.Properties)).toEqual([
      expect.objectContaining({
        SourceSecurityGroupId: { 'Fn::GetAtt': [proxyGroup, 'GroupId'] },
        FromPort: { 'Fn::GetAtt': [expect.stringMatching(/^DatabaseCluster/), 'Endpoint.Port'] },
      }),
    ]);
  });

  it('keeps its logs for a set time', () => {
    data.hasResourceProperties('Custom::LogRetention', { RetentionInDays: 30 });
  });
});

describe('the queue cache', () => {
  it('is ElastiCache Serverless Valkey in the isolated subnets, with usage limits', () => {
    data.hasResourceProperties('AWS::ElastiCache::ServerlessCache', {
      Engine: 'valkey',
      CacheUsageLimits: { DataStorage: { Maximum: 5, Unit: 'GB' }, ECPUPerSecond: { Maximum: 50_000 } },
      SubnetIds: Match.arrayWith([Match.objectLike({ Ref: Match.stringLikeRegexp('data') })]),
    });
  });
});

describe('the signing key ring', () => {
  it('is a Secrets Manager secret kept when the stack goes', () => {
    data.hasResource('AWS::SecretsManager::Secret', {
      Properties: { Description: Match.stringLikeRegexp('signing key ring') },
      DeletionPolicy: 'Retain',
    });
  });
});
