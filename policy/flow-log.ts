// A flow log entry: what agents post and the API serves. Goldmane-style aggregation: one entry per
// endpoint, direction, remote address, protocol, service port and outcome within a time bucket, with
// the rule that decided and what staged policies would have decided ("pending verdict").
import { z } from 'zod';
import { INT4_MAX, reportedTime, storableText } from './validation/storable-schema.ts';

export const FLOW_BUCKET_SECONDS = 15;

export const flowRuleSchema = z.strictObject({
  tier: storableText().max(253),
  policyId: storableText().max(512),
  /** Index in the policy's rule list, or 'default' for the tier's default action. */
  ruleIndex: z.union([z.number().int().nonnegative().max(INT4_MAX), z.literal('default')]),
  action: z.enum(['Allow', 'Deny', 'Pass', 'Log']),
});
export type FlowRule = z.infer<typeof flowRuleSchema>;

export const flowLogEntrySchema = z.strictObject({
  startTime: reportedTime(),
  endTime: reportedTime(),
  /** `namespace/pod` of the endpoint whose program saw the flow. */
  endpoint: storableText().max(317),
  direction: z.enum(['ingress', 'egress']),
  remote: storableText().max(64),
  /** IANA protocol number (6 TCP, 17 UDP, 132 SCTP, 1 ICMP, 58 ICMPv6). */
  protocol: z.number().int().min(0).max(255),
  /** The server's port: the destination port for egress, the pod's own port for ingress; 0 when none. */
  port: z.number().int().min(0).max(65535),
  /** allowed: new flows admitted; denied: packets dropped; logged: Log rules matched. */
  kind: z.enum(['allowed', 'denied', 'logged']),
  /** The rule that decided (or logged); null when no policy applied or every tier passed. */
  rule: flowRuleSchema.nullable(),
  /** What staged policies would have decided; absent when none selects the endpoint. */
  pendingVerdict: z.enum(['allow', 'deny']).optional(),
  pendingRule: flowRuleSchema.nullable().optional(),
  /** Bounded by its int4 column; the aggregator starts a new entry long before. */
  count: z.number().int().positive().max(INT4_MAX),
  /** A bigint column, but read back as a JS number: bounded to what a double holds exactly. */
  bytes: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
});
export type FlowLogEntry = z.infer<typeof flowLogEntrySchema>;

export const flowLogBatchSchema = z.strictObject({
  nodeName: storableText().min(1).max(253),
  /** Bounded so one report cannot flood the store; the aggregator drops and counts the excess. */
  entries: z.array(flowLogEntrySchema).max(5_000),
  dropped: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).default(0),
});
export type FlowLogBatch = z.infer<typeof flowLogBatchSchema>;
