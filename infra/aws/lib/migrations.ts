// Migrations as a one-off task of the new image, run by a deployment trigger after the data stack and
// before the API function and the services update (README.md: "Deploying"). The trigger runs again
// whenever the image changes (its digest is part of the trigger function's configuration).
import { join } from 'node:path';
import type { aws_ecr_assets as ecrAssets } from 'aws-cdk-lib';
import { Duration, aws_ec2 as ec2, type aws_ecs as ecs, aws_iam as iam, aws_lambda as lambda, aws_logs as logs, RemovalPolicy, triggers } from 'aws-cdk-lib';
import { Construct, type IConstruct } from 'constructs';
import { ControlPlaneTask, taskSecurityGroup } from './control-plane-task.ts';
import type { Database } from './database.ts';
import { databaseEnvironment } from './runtime-environment.ts';
import { REPOSITORY_ROOT } from './settings.ts';

export interface MigrationsProps {
  vpc: ec2.IVpc;
  cluster: ecs.Cluster;
  image: ecrAssets.DockerImageAsset;
  containerImage: ecs.ContainerImage;
  database: Database;
  /** What must not update before the schema is current. */
  before: IConstruct[];
}

export class Migrations extends Construct {
  readonly task: ControlPlaneTask;
  readonly trigger: triggers.TriggerFunction;

  constructor(scope: Construct, id: string, props: MigrationsProps) {
    super(scope, id);
    this.task = new ControlPlaneTask(this, 'Task', {
      image: props.containerImage,
      command: ['migrate'],
      environment: databaseEnvironment(props.database),
      cpu: 256,
      memoryLimitMiB: 512,
    });
    const securityGroup = taskSecurityGroup(this, 'TaskSecurityGroup', props.vpc, 'migration task: out to RDS Proxy and AWS APIs');
    props.database.allowClient(securityGroup, this.task.taskDefinition.taskRole, 'migration task to RDS Proxy');

    const subnets = props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
    this.trigger = new triggers.TriggerFunction(this, 'Run', {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      code: lambda.Code.fromAsset(join(REPOSITORY_ROOT, 'infra/aws/lambda/run-task')),
      handler: 'index.handler',
      timeout: Duration.minutes(10),
      logGroup: new logs.LogGroup(this, 'RunLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
      environment: {
        CLUSTER_ARN: props.cluster.clusterArn,
        TASK_DEFINITION_ARN: this.task.taskDefinition.taskDefinitionArn,
        SUBNET_IDS: subnets.subnetIds.join(','),
        SECURITY_GROUP_IDS: securityGroup.securityGroupId,
        IMAGE: props.image.imageUri,
      },
      executeBefore: props.before,
      executeOnHandlerChange: true,
    });
    this.task.taskDefinition.grantRun(this.trigger);
    this.trigger.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeTasks'], resources: [props.cluster.arnForTasks('*')] }));
  }
}
