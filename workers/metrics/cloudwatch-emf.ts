// The worker's scaling signals for CloudWatch (PALISADE_CLOUDWATCH_NAMESPACE): QueueDepth and
// OutboxLagSeconds once a minute, as Embedded Metric Format lines on stdout. On ECS the awslogs driver
// ships stdout to CloudWatch Logs, which extracts the metrics itself: no agent, no cloudwatch:Put*
// permission, and the service scales on them (infra/aws/lib/worker.ts).
// Format: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html

export type EmfUnit = 'Count' | 'Seconds';

/** One EMF log line: the values at the top level, `_aws` saying which of them are metrics, no dimensions. */
export function emfLine(namespace: string, metrics: Record<string, { value: number; unit: EmfUnit }>, at: Date): string {
  const values = Object.fromEntries(Object.entries(metrics).map(([name, metric]) => [name, metric.value]));
  return JSON.stringify({
    _aws: {
      Timestamp: at.getTime(),
      CloudWatchMetrics: [
        { Namespace: namespace, Dimensions: [[]], Metrics: Object.entries(metrics).map(([name, metric]) => ({ Name: name, Unit: metric.unit })) },
      ],
    },
    ...values,
  });
}

export interface EmfPublisherOptions {
  namespace: string;
  everyMs: number;
  read: () => Promise<Record<string, { value: number; unit: EmfUnit }>>;
  write: (line: string) => void;
  clock: () => Date;
  onError: (error: unknown) => void;
}

/** Publishes now and then every `everyMs`; a failed read skips that minute. */
export function publishEmf(options: EmfPublisherOptions): { stop(): void } {
  const publish = () => options.read().then((metrics) => options.write(emfLine(options.namespace, metrics, options.clock())), options.onError);
  const timer = setInterval(publish, options.everyMs);
  void publish();
  return { stop: () => clearInterval(timer) };
}
