// `palisade worker` on Fargate: outbox relay, bundle builds and signing, EKS onboarding, retention.
// It scales on the depth of its BullMQ queues, which the worker publishes as the CloudWatch metric
// below (Embedded Metric Format in its log stream: no extra IAM, no agent).
import {
  aws_applicationautoscaling as autoscaling,
  aws_cloudwatch as cloudwatch,
  Duration,
  aws_ec2 as ec2,
  aws_ecs as ecs,
  aws_iam as iam,
  Stack,
  type aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ControlPlaneTask, taskSecurityGroup } from './control-plane-task.ts';
import type { Database } from './database.ts';
import type { QueueCache } from './queue-cache.ts';
import { controlPlaneEnvironment, signingKeysEnvironment } from './runtime-environment.ts';

export const METRICS_NAMESPACE = 'Palisade';
/** Jobs waiting in all queues, published by the worker every minute. */
export const queueDepthMetric = () =>
  new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: 'QueueDepth', statistic: 'Maximum', period: Duration.minutes(1) });
/** Age of the oldest outbox row not yet relayed: writes that no bundle reflects yet. */
export const outboxLagMetric = () =>
  new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: 'OutboxLagSeconds', statistic: 'Maximum', period: Duration.minutes(1) });

/** Tenants create this role in their account (external id per tenant) for EKS onboarding to assume. */
const ONBOARDING_ROLE_NAME_PREFIX = 'palisade-onboarding-';

export interface WorkerProps {
  vpc: ec2.IVpc;
  cluster: ecs.ICluster;
  image: ecs.ContainerImage;
  database: Database;
  queueCache: QueueCache;
  signingKeys: secretsmanager.ISecret;
}

export class Worker extends Construct {
  readonly service: ecs.FargateService;

  constructor(scope: Construct, id: string, props: WorkerProps) {
    super(scope, id);
    const task = new ControlPlaneTask(this, 'Task', {
      image: props.image,
      command: ['worker'],
      environment: controlPlaneEnvironment('worker', props.database, {
        REDIS_URL: props.queueCache.url,
        PALISADE_CLOUDWATCH_NAMESPACE: METRICS_NAMESPACE,
        ...signingKeysEnvironment(props.signingKeys),
      }),
      cpu: 512,
      memoryLimitMiB: 1024,
    });
    task.taskDefinition.taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeTenantOnboardingRoles',
        actions: ['sts:AssumeRole'],
        resources: [`arn:${Stack.of(this).partition}:iam::*:role/${ONBOARDING_ROLE_NAME_PREFIX}*`],
      }),
    );
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: props.cluster,
      taskDefinition: task.taskDefinition,
      desiredCount: 1,
      minHealthyPercent: 100,
      assignPublicIp: false,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      circuitBreaker: { rollback: true },
      securityGroups: [taskSecurityGroup(this, 'TaskSecurityGroup', props.vpc, 'worker tasks: out to RDS Proxy, Valkey and AWS APIs')],
    });
    props.database.allowClient(this.service, task.taskDefinition.taskRole, 'workers to RDS Proxy');
    props.signingKeys.grantRead(task.taskDefinition.taskRole);
    props.queueCache.allowClient(this.service, 'workers to Valkey');
    const scaling = this.service.autoScaleTaskCount({ minCapacity: 1, maxCapacity: 20 });
    scaling.scaleOnMetric('QueueDepth', {
      metric: queueDepthMetric(),
      adjustmentType: autoscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      scalingSteps: [
        { upper: 50, change: -1 },
        { lower: 500, change: +1 },
        { lower: 5_000, change: +4 },
      ],
      cooldown: Duration.minutes(2),
    });
  }
}
