// Runs one ECS task to completion as a deployment step: starts it, waits until it stops, and fails
// (failing the deployment) unless every container exited 0. The migrations run through this before the
// new API function and services are updated, so no new version takes traffic on an unmigrated schema.
// Plain JavaScript on the Lambda runtime's own AWS SDK: it has nothing to build.
import { DescribeTasksCommand, ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';

const POLL_MS = 5_000;
const ecs = new ECSClient({});

export async function handler() {
  const cluster = process.env.CLUSTER_ARN;
  const started = await ecs.send(
    new RunTaskCommand({
      cluster,
      taskDefinition: process.env.TASK_DEFINITION_ARN,
      launchType: 'FARGATE',
      startedBy: 'palisade-deploy',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: process.env.SUBNET_IDS.split(','),
          securityGroups: process.env.SECURITY_GROUP_IDS.split(','),
          assignPublicIp: 'DISABLED',
        },
      },
    }),
  );
  const taskArn = started.tasks?.[0]?.taskArn;
  if (!taskArn) throw new Error(`the task did not start: ${JSON.stringify(started.failures)}`);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
    const task = tasks?.[0];
    if (task?.lastStatus !== 'STOPPED') continue;
    const exitCodes = (task.containers ?? []).map((container) => container.exitCode);
    if (exitCodes.length > 0 && exitCodes.every((code) => code === 0)) return { taskArn, exitCodes };
    throw new Error(`${taskArn} failed: ${task.stoppedReason ?? 'no reason given'}; exit codes ${JSON.stringify(exitCodes)}`);
  }
}
