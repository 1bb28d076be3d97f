// Alarms for the ways the service fails a tenant, each to one SNS topic (mail when alarmEmail is set):
// the API erroring or throttled, agents unable to reach delivery, writes not turning into bundles (queue
// depth, outbox lag), the database or the cache at their ceiling.

import type { aws_elasticache as elasticache, aws_rds as rds } from 'aws-cdk-lib';
import {
  aws_cloudwatch_actions as actions,
  aws_cloudwatch as cloudwatch,
  Duration,
  aws_elasticloadbalancingv2 as elbv2,
  aws_sns as sns,
  aws_sns_subscriptions as subscriptions,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { Api } from './api.ts';
import type { Delivery } from './delivery.ts';
import { outboxLagMetric, queueDepthMetric, type Worker } from './worker.ts';

export interface AlarmsProps {
  api: Api;
  delivery: Delivery;
  worker: Worker;
  cluster: rds.DatabaseCluster;
  cache: elasticache.CfnServerlessCache;
  email: string | undefined;
}

export class Alarms extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'palisade alarms', enforceSSL: true });
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    const fiveMinutes = { period: Duration.minutes(5) };
    const alarm = (name: string, description: string, metric: cloudwatch.Metric, threshold: number, options: Partial<cloudwatch.CreateAlarmOptions> = {}) => {
      const created = metric.createAlarm(this, name, {
        alarmDescription: description,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...options,
      });
      created.addAlarmAction(new actions.SnsAction(this.topic));
      return created;
    };

    alarm('ApiErrors', 'API function errors: requests fail with 5xx', props.api.function.metricErrors(fiveMinutes), 10);
    alarm('ApiThrottles', 'API function throttled at its reserved concurrency', props.api.function.metricThrottles(fiveMinutes), 1);
    alarm('ApiServerErrors', 'HTTP API 5xx responses', props.api.httpApi.metricServerError(fiveMinutes), 10);
    alarm('ApiLatency', 'API p99 latency above 5 s', props.api.httpApi.metricLatency({ ...fiveMinutes, statistic: 'p99' }), 5_000, { evaluationPeriods: 3 });

    const targets = props.delivery.targetGroup.metrics;
    alarm(
      'DeliveryUnhealthy',
      'delivery tasks failing health checks: agents cannot fetch bundles',
      targets.unhealthyHostCount({ period: Duration.minutes(1) }),
      1,
      { evaluationPeriods: 3 },
    );
    alarm(
      'DeliveryNoHealthyTask',
      'no healthy delivery task: every agent is cut off from new bundles',
      targets.healthyHostCount({ period: Duration.minutes(1), statistic: 'Minimum' }),
      1,
      {
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      },
    );
    alarm('DeliveryServerErrors', 'delivery 5xx responses', targets.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, fiveMinutes), 50);

    alarm('QueueBacklog', 'jobs waiting for 15 minutes: writes are not becoming bundles', queueDepthMetric(), 1_000, { evaluationPeriods: 15 });
    alarm('OutboxLag', 'oldest unrelayed outbox row older than 2 minutes: the relay is stuck', outboxLagMetric(), 120, { evaluationPeriods: 3 });

    alarm('DatabaseAtCapacity', 'Aurora at 90% of its maximum capacity', props.cluster.metric('ACUUtilization', { ...fiveMinutes, statistic: 'Maximum' }), 90, {
      evaluationPeriods: 3,
    });
    alarm(
      'CacheThrottled',
      'Valkey commands throttled at the ECPU limit: queue operations fail',
      new cloudwatch.Metric({
        namespace: 'AWS/ElastiCache',
        metricName: 'ThrottledCmds',
        dimensionsMap: { clusterId: props.cache.ref },
        statistic: 'Sum',
        ...fiveMinutes,
      }),
      1,
    );
  }
}
