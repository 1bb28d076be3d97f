// The stateless stack: every function, service and task with its wiring (command, environment,
// secrets, security group edges), the deploy order, the console and the alarms.
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CERTIFICATE_ARN, containerOf, environmentOf, resourceNamed, resourcesOf, synthesize } from './synthesize.ts';

let app: ReturnType<typeof synthesize>['app'];

beforeAll(() => {
  ({ app } = synthesize());
});

/** A value the data stack exports, as a template pattern and as a vitest matcher. */
const importOf = (text: string) => Match.objectLike({ 'Fn::ImportValue': Match.stringLikeRegexp(text) });
const imported = (text: string) => ({ 'Fn::ImportValue': expect.stringMatching(text) });
const proxyUrl = Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([importOf('DatabaseClusterProxy')])] });

describe('the API function', () => {
  it('runs the compiled bundle on arm64 Node 24, in the private subnets, with deliberate limits', () => {
    app.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.lambdaHandler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 25,
      MemorySize: 1024,
      ReservedConcurrentExecutions: 200,
      VpcConfig: Match.objectLike({ SubnetIds: Match.arrayWith([importOf('appSubnet')]) }),
      Environment: {
        Variables: Match.objectLike({
          PALISADE_ROLE: 'api',
          DATABASE_URL: proxyUrl,
          DATABASE_IAM_AUTH: 'true',
          MIGRATE_ON_START: 'false',
          SIGNING_KEYS_SECRET_ARN: importOf('SigningKeysSecret'),
          MAX_BODY_BYTES: String(1024 * 1024),
          DEMO_TENANT: 'false',
        }),
      },
    });
  });

  it('never carries the private keys in its configuration', () => {
    const [, fn] = resourceNamed(app, 'AWS::Lambda::Function', 'ApiFunction');
    expect(Object.keys((fn.Properties!.Environment as { Variables: object }).Variables)).not.toContain('SIGNING_KEYS');
  });

  it('sits behind an HTTP API whose integration outlasts the function, with throttling and access logs', () => {
    app.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    app.hasResourceProperties('AWS::ApiGatewayV2::Integration', { IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0', TimeoutInMillis: 29_000 });
    app.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 2_000, ThrottlingBurstLimit: 1_000 },
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });
});

describe('bundle delivery', () => {
  it('runs `serve` in the delivery role on arm64 Fargate, reading the key ring secret itself, the schema migrated before it starts', () => {
    const container = containerOf(app, 'DeliveryTask');
    expect(container.Command).toEqual(['serve']);
    expect(container.ReadonlyRootFilesystem).toBe(true);
    expect(environmentOf(container)).toMatchObject({
      PALISADE_ROLE: 'delivery',
      HOST: '0.0.0.0',
      PORT: '8080',
      LONG_POLL_MAX_SECONDS: '55',
      DATABASE_IAM_AUTH: 'true',
      MIGRATE_ON_START: 'false',
      SIGNING_KEYS_SECRET_ARN: imported('SigningKeysSecret'),
    });
    // By reference only: ECS injection would freeze the ring at task start, so a rotation would never reach it.
    expect(container.Secrets).toBeUndefined();
    app.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Family: Match.stringLikeRegexp('Delivery'),
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
    });
  });

  it('is reached through an internet-facing ALB on HTTPS, routed by path to the agent endpoints', () => {
    app.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'idle_timeout.timeout_seconds', Value: '90' },
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
      ]),
    });
    app.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: CERTIFICATE_ARN }],
      DefaultActions: [Match.objectLike({ Type: 'fixed-response', FixedResponseConfig: Match.objectLike({ StatusCode: '404' }) })],
    });
    app.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/v1/agent/*', '/v1/trust-root'] } }],
      Actions: [Match.objectLike({ Type: 'forward' })],
    });
    app.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 8080, TargetType: 'ip', HealthCheckPath: '/healthz' });
  });

  it('lets the ALB, and nothing else, reach its tasks', () => {
    const [taskGroup] = resourceNamed(app, 'AWS::EC2::SecurityGroup', 'DeliveryTaskSecurityGroup');
    const [edgeGroup] = resourceNamed(app, 'AWS::EC2::SecurityGroup', 'DeliveryEdgeSecurityGroup');
    const ingress = resourcesOf(app, 'AWS::EC2::SecurityGroupIngress').filter(([, rule]) => JSON.stringify(rule.Properties!.GroupId).includes(taskGroup));
    expect(ingress.map(([, rule]) => rule.Properties)).toEqual([
      expect.objectContaining({ FromPort: 8080, SourceSecurityGroupId: { 'Fn::GetAtt': [edgeGroup, 'GroupId'] } }),
    ]);
  });

  it('keeps at least two tasks and scales out on load', () => {
    app.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2,
      MaxCapacity: 80,
      ScalableDimension: 'ecs:service:DesiredCount',
    });
  });
});

describe('the worker', () => {
  it('runs `palisade worker` with the queue cache and the database', () => {
    const container = containerOf(app, 'WorkerTask');
    expect(container.Command).toEqual(['worker']);
    const environment = environmentOf(container);
    expect(environment).toMatchObject({
      PALISADE_ROLE: 'worker',
      DATABASE_IAM_AUTH: 'true',
      MIGRATE_ON_START: 'false',
      PALISADE_CLOUDWATCH_NAMESPACE: 'Palisade',
      SIGNING_KEYS_SECRET_ARN: imported('SigningKeysSecret'),
    });
    expect(JSON.stringify(environment.REDIS_URL)).toMatch(/rediss:\/\//);
    expect(container.Secrets).toBeUndefined();
  });

  it('scales in steps on the depth of its queues', () => {
    app.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Palisade',
      MetricName: 'QueueDepth',
      AlarmActions: [Match.objectLike({ Ref: Match.stringLikeRegexp('WorkerServiceTaskCountTargetQueueDepth') })],
    });
    app.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: Match.objectLike({ AdjustmentType: 'ChangeInCapacity' }),
    });
  });

  it('reaches Valkey and the RDS Proxy through their security groups, and nothing reaches it', () => {
    const [workerGroup] = resourceNamed(app, 'AWS::EC2::SecurityGroup', 'WorkerTaskSecurityGroup');
    const workerEdges = resourcesOf(app, 'AWS::EC2::SecurityGroupIngress').filter(([, rule]) =>
      JSON.stringify(rule.Properties!.SourceSecurityGroupId).includes(workerGroup),
    );
    expect(workerEdges.map(([, rule]) => [rule.Properties!.FromPort, rule.Properties!.GroupId]).sort()).toEqual([
      [5432, imported('DatabaseProxySecurityGroup')],
      [6379, imported('QueueCacheSecurityGroup')],
    ]);
    const toWorker = resourcesOf(app, 'AWS::EC2::SecurityGroupIngress').filter(([, rule]) => JSON.stringify(rule.Properties!.GroupId).includes(workerGroup));
    expect(toWorker).toEqual([]);
  });
});

describe('migrations', () => {
  it('run as a one-off `migrate` task before the API function and the services update', () => {
    expect(containerOf(app, 'MigrationsTask').Command).toEqual(['migrate']);
    const [trigger] = resourceNamed(app, 'Custom::Trigger', 'MigrationsRunTrigger');
    for (const [type, prefix] of [
      ['AWS::Lambda::Function', 'ApiFunction'],
      ['AWS::ECS::Service', 'DeliveryService'],
      ['AWS::ECS::Service', 'WorkerService'],
    ] as const) {
      expect(resourceNamed(app, type, prefix)[1].DependsOn, prefix).toContain(trigger);
    }
  });

  it('run again with every new image', () => {
    const [, runner] = resourceNamed(app, 'AWS::Lambda::Function', 'MigrationsRun');
    expect(JSON.stringify((runner.Properties!.Environment as { Variables: { IMAGE: unknown } }).Variables.IMAGE)).toMatch(/container-assets/);
  });
});

describe('key rotation', () => {
  it('runs `palisade signing-keys rotate` monthly against the secret, which only its role may write', () => {
    const container = containerOf(app, 'KeyRotationTask');
    expect(container.Command).toEqual(['signing-keys', 'rotate']);
    expect(environmentOf(container)).toMatchObject({ SIGNING_KEYS_SECRET_ARN: imported('SigningKeysSecret') });
    app.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(30 days)',
      Targets: [Match.objectLike({ EcsParameters: Match.objectLike({ LaunchType: 'FARGATE' }) })],
    });
    const writers = resourcesOf(app, 'AWS::IAM::Policy').filter(([, policy]) => JSON.stringify(policy.Properties).includes('secretsmanager:PutSecretValue'));
    expect(writers.map(([id]) => id)).toEqual([expect.stringMatching(/^KeyRotationTaskDefinitionTaskRole/)]);
  });
});

describe('the signing key ring secret', () => {
  it('is read by the roles of the processes that sign or serve the trust root, and by no execution role', () => {
    const readers = resourcesOf(app, 'AWS::IAM::Policy').filter(([, policy]) => {
      const statements = JSON.stringify(policy.Properties);
      return statements.includes('secretsmanager:GetSecretValue') && statements.includes('SigningKeysSecret');
    });
    expect(readers.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
      'ApiFunctionServiceRoleDefaultPolicy',
      'DeliveryTaskDefinitionTaskRoleDefaultPolicy',
      'KeyRotationTaskDefinitionTaskRoleDefaultPolicy',
      'WorkerTaskDefinitionTaskRoleDefaultPolicy',
    ]);
  });
});

describe('the console', () => {
  it('is a private, encrypted bucket read by CloudFront through origin access control', () => {
    app.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: Match.objectLike({}),
    });
    app.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always' }),
    });
    app.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 's3:GetObject', Principal: { Service: 'cloudfront.amazonaws.com' } })]) },
    });
  });

  it('sends /v1/* to the HTTP API on the same origin, uncached', () => {
    app.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        CacheBehaviors: [
          Match.objectLike({ PathPattern: '/v1/*', ViewerProtocolPolicy: 'https-only', AllowedMethods: Match.arrayWith(['PUT', 'POST', 'DELETE']) }),
        ],
        Origins: Match.arrayWith([Match.objectLike({ DomainName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['.execute-api.'])] }) })]),
      }),
    });
  });
});

describe('alarms', () => {
  it('watch each failure mode and notify the on-call topic', () => {
    const alarms = resourcesOf(app, 'AWS::CloudWatch::Alarm').filter(([id]) => id.startsWith('Alarms'));
    expect(alarms.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(
      [
        'AlarmsApiErrors',
        'AlarmsApiLatency',
        'AlarmsApiServerErrors',
        'AlarmsApiThrottles',
        'AlarmsCacheThrottled',
        'AlarmsDatabaseAtCapacity',
        'AlarmsDeliveryNoHealthyTask',
        'AlarmsDeliveryServerErrors',
        'AlarmsDeliveryUnhealthy',
        'AlarmsOutboxLag',
        'AlarmsQueueBacklog',
      ].sort(),
    );
    for (const [id, alarm] of alarms) expect(alarm.Properties!.AlarmActions, id).toEqual([{ Ref: expect.stringMatching(/^AlarmsTopic/) }]);
    app.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
  });
});
