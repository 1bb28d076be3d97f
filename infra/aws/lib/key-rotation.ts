// The signing key ring's rotation: `palisade signing-keys rotate`, the existing rotation (a new active key, the
// previous one trusted for one bundle lifetime), run monthly as a Fargate task against the ring in
// Secrets Manager. Its role may read and write that one secret and nothing else.

import type { aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Duration, aws_ec2 as ec2, type aws_ecs as ecs, aws_events as events, aws_events_targets as targets } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ControlPlaneTask, taskSecurityGroup } from './control-plane-task.ts';
import { signingKeysEnvironment } from './runtime-environment.ts';

export interface KeyRotationProps {
  vpc: ec2.IVpc;
  cluster: ecs.ICluster;
  image: ecs.ContainerImage;
  signingKeys: secretsmanager.ISecret;
}

export class KeyRotation extends Construct {
  readonly task: ControlPlaneTask;
  readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: KeyRotationProps) {
    super(scope, id);
    this.task = new ControlPlaneTask(this, 'Task', {
      image: props.image,
      command: ['signing-keys', 'rotate'],
      environment: { ...signingKeysEnvironment(props.signingKeys), LOG_LEVEL: 'info' },
      cpu: 256,
      memoryLimitMiB: 512,
    });
    props.signingKeys.grantRead(this.task.taskDefinition.taskRole);
    props.signingKeys.grantWrite(this.task.taskDefinition.taskRole);
    const securityGroup = taskSecurityGroup(this, 'TaskSecurityGroup', props.vpc, 'key rotation task: out to Secrets Manager');
    this.schedule = new events.Rule(this, 'Schedule', {
      description: 'rotate the bundle signing key ring',
      schedule: events.Schedule.rate(Duration.days(30)),
      targets: [
        new targets.EcsTask({
          cluster: props.cluster,
          taskDefinition: this.task.taskDefinition,
          subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
          securityGroups: [securityGroup],
          assignPublicIp: false,
        }),
      ],
    });
  }
}
