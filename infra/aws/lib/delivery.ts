// Bundle delivery: the agents' endpoints (`/v1/agent/*`: the bundle long-poll, status, flows, inventory;
// and `/v1/trust-root`) on a small Fargate service running the same server in the delivery role, woken
// by Postgres NOTIFY, behind an internet-facing ALB routed by path. A parked long-poll here is an idle
// socket on a task already paid for; on Lambda it would be a running invocation per node (README.md).

import type { aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Annotations, aws_certificatemanager as acm, Duration, aws_ec2 as ec2, aws_ecs as ecs, aws_elasticloadbalancingv2 as elbv2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ControlPlaneTask, taskSecurityGroup } from './control-plane-task.ts';
import type { Database } from './database.ts';
import { controlPlaneEnvironment, LONG_POLL_MAX_SECONDS, SERVER_PORT, signingKeysEnvironment } from './runtime-environment.ts';

/** The paths the ALB sends to the delivery service; anything else gets a 404 from the ALB itself. */
export const AGENT_PATHS = ['/v1/agent/*', '/v1/trust-root'];
/** Longer than the long-poll, so the server's 304 always arrives before the ALB drops the socket. */
const IDLE_TIMEOUT = Duration.seconds(LONG_POLL_MAX_SECONDS + 35);

export interface DeliveryProps {
  vpc: ec2.IVpc;
  cluster: ecs.ICluster;
  image: ecs.ContainerImage;
  database: Database;
  signingKeys: secretsmanager.ISecret;
  certificateArn: string | undefined;
}

export class Delivery extends Construct {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly service: ecs.FargateService;

  constructor(scope: Construct, id: string, props: DeliveryProps) {
    super(scope, id);
    const task = new ControlPlaneTask(this, 'Task', {
      image: props.image,
      command: ['serve'],
      environment: controlPlaneEnvironment('delivery', props.database, {
        HOST: '0.0.0.0',
        PORT: String(SERVER_PORT),
        LONG_POLL_MAX_SECONDS: String(LONG_POLL_MAX_SECONDS),
        ...signingKeysEnvironment(props.signingKeys),
      }),
      // Sized for ~20k parked long-polls per task (a socket and a waiter each); scaling adds tasks.
      cpu: 1024,
      memoryLimitMiB: 2048,
      port: SERVER_PORT,
    });
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: props.cluster,
      taskDefinition: task.taskDefinition,
      desiredCount: 2,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      assignPublicIp: false,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      circuitBreaker: { rollback: true },
      securityGroups: [taskSecurityGroup(this, 'TaskSecurityGroup', props.vpc, 'delivery tasks: from the agents ALB; out to RDS Proxy and AWS APIs')],
    });
    props.database.allowClient(this.service, task.taskDefinition.taskRole, 'delivery tasks to RDS Proxy');
    props.signingKeys.grantRead(task.taskDefinition.taskRole);
    const scaling = this.service.autoScaleTaskCount({ minCapacity: 2, maxCapacity: 80 });
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60 });
    scaling.scaleOnMemoryUtilization('Memory', { targetUtilizationPercent: 70 });

    const edgeSecurityGroup = new ec2.SecurityGroup(this, 'EdgeSecurityGroup', {
      vpc: props.vpc,
      description: 'agents ALB: HTTPS from anywhere (agents run in tenants networks)',
      allowAllOutbound: false,
    });
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroup: edgeSecurityGroup,
      idleTimeout: IDLE_TIMEOUT,
      dropInvalidHeaderFields: true,
    });
    const defaultAction = elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'not an agent endpoint' });
    if (!props.certificateArn) Annotations.of(this).addWarning('no agentCertificateArn: agents reach the ALB over plain HTTP (a lab, never production)');
    const listener = props.certificateArn
      ? this.loadBalancer.addListener('Https', {
          port: 443,
          certificates: [acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn)],
          sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
          open: true,
          defaultAction,
        })
      : this.loadBalancer.addListener('Http', { port: 80, open: true, defaultAction });
    this.targetGroup = listener.addTargets('Delivery', {
      priority: 10,
      conditions: [elbv2.ListenerCondition.pathPatterns(AGENT_PATHS)],
      port: SERVER_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [this.service],
      healthCheck: { path: '/healthz', interval: Duration.seconds(15), healthyThresholdCount: 2 },
      // Agents reconnect on their own; a draining task need not hold sockets past one long-poll.
      deregistrationDelay: Duration.seconds(LONG_POLL_MAX_SECONDS + 5),
    });
  }
}
