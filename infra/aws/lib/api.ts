// The REST API: the compiled Lambda bundle (dist/lambda, built from bin/lambda.ts, the same app
// as `serve`) on arm64, in the private subnets, behind an API Gateway HTTP API. Limits on purpose:
// bodies above MAX_BODY_BYTES are refused by the app (HTTP API itself stops at 10 MB, Lambda at 6 MB);
// the function stops at 25 s, inside the integration's 29 s, so a slow request ends as our 5xx
// rather than the gateway's; reserved concurrency caps the database connections Lambda can open.

import type { aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { aws_apigatewayv2 as apigateway, Duration, aws_ec2 as ec2, aws_lambda as lambda, aws_logs as logs, RemovalPolicy } from 'aws-cdk-lib';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Construct } from 'constructs';
import type { Database } from './database.ts';
import { controlPlaneEnvironment, signingKeysEnvironment } from './runtime-environment.ts';

/** build/lambda-bundle.ts emits index.mjs exporting lambdaHandler. */
const HANDLER = 'index.lambdaHandler';
/** Two connections per instance (bin/lambda.ts): 200 instances open at most 400 proxy clients. */
const RESERVED_CONCURRENCY = 200;

export interface ApiProps {
  vpc: ec2.IVpc;
  bundleDir: string;
  database: Database;
  signingKeys: secretsmanager.ISecret;
}

export class Api extends Construct {
  readonly function: lambda.Function;
  readonly httpApi: apigateway.HttpApi;
  readonly stage: apigateway.HttpStage;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'FunctionLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    this.function = new lambda.Function(this, 'Function', {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      code: lambda.Code.fromAsset(props.bundleDir),
      handler: HANDLER,
      memorySize: 1024,
      timeout: Duration.seconds(25),
      reservedConcurrentExecutions: RESERVED_CONCURRENCY,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      allowAllOutbound: false,
      logGroup,
      environment: controlPlaneEnvironment('api', props.database, {
        // The private keys never sit in the function's configuration: it reads the ring at cold start.
        ...signingKeysEnvironment(props.signingKeys),
        NODE_OPTIONS: '--enable-source-maps',
      }),
    });
    props.signingKeys.grantRead(this.function);
    props.database.allowClient(this.function, this.function, 'API function to RDS Proxy');
    this.function.connections.allowToAnyIpv4(ec2.Port.tcp(443), 'AWS APIs (Secrets Manager) through NAT');

    this.httpApi = new apigateway.HttpApi(this, 'HttpApi', {
      description: 'palisade REST API',
      createDefaultStage: false,
      defaultIntegration: new HttpLambdaIntegration('Function', this.function, {
        payloadFormatVersion: apigateway.PayloadFormatVersion.VERSION_2_0,
        timeout: Duration.seconds(29),
      }),
    });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    this.stage = new apigateway.HttpStage(this, 'Stage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      // Per-tenant limits are the app's; this only keeps a flood from reaching the database.
      throttle: { rateLimit: 2_000, burstLimit: 1_000 },
      accessLogSettings: { destination: new apigateway.LogGroupLogDestination(accessLogs) },
    });
  }
}
