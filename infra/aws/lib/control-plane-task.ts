// One Fargate task definition of the control plane image: arm64, read-only root file system, logs to a
// log group with a set retention, the command and environment of its role. Services and one-off tasks
// (migrations, key rotation) are all made here, so they differ only where they must.
import { Duration, aws_ec2 as ec2, aws_ecs as ecs, aws_logs as logs, RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';

export interface ControlPlaneTaskProps {
  image: ecs.ContainerImage;
  command: string[];
  environment: Record<string, string>;
  secrets?: Record<string, ecs.Secret>;
  cpu: number;
  memoryLimitMiB: number;
  /** The port the server listens on, for services behind the load balancer. */
  port?: number;
}

export const CONTAINER_NAME = 'palisade';

export class ControlPlaneTask extends Construct {
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ControlPlaneTaskProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Definition', {
      cpu: props.cpu,
      memoryLimitMiB: props.memoryLimitMiB,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    this.container = this.taskDefinition.addContainer(CONTAINER_NAME, {
      image: props.image,
      command: props.command,
      environment: props.environment,
      secrets: props.secrets,
      readonlyRootFilesystem: true,
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: id.toLowerCase() }),
      portMappings: props.port === undefined ? [] : [{ containerPort: props.port }],
      stopTimeout: Duration.seconds(30),
    });
  }
}

/**
 * A task's security group: out on 443 only (ECR, Secrets Manager, STS and tenants' EKS endpoints, through
 * NAT); each data edge (RDS Proxy, Valkey) is added by the resource it reaches. No ingress of its own.
 */
export function taskSecurityGroup(scope: Construct, id: string, vpc: ec2.IVpc, description: string): ec2.SecurityGroup {
  const group = new ec2.SecurityGroup(scope, id, { vpc, description, allowAllOutbound: false });
  group.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS APIs and tenants EKS endpoints through NAT');
  return group;
}
