// A flow log entry: what agents post and the API serves. Goldmane-style aggregation: one entry per
// endpoint, direction, remote address, protocol, service port and outcome within a time bucket, with
// the rule that decided and what staged policies would have decided ("pending verdict").
import { z } from 'zod';

export const FLOW_BUCKET_SECONDS = 15;

export const flowRuleSchema = z.strictObject({
  tier: z.string().max(253),
  policyId: z.string().max(512),
  /** Index in the policy's rule list, or 'default' for the tier's default action. */
  ruleIndex: z.union([z.number().int().nonnegative(), z.literal('default')]),
  action: z.enum(['Allow', 'Deny', 'Pass', 'Log']),
});
export type FlowRule = z.infer<typeof flowRuleSchema>;

export const flowLogEntrySchema = z.strictObject({
  startTime: z.iso.datetime(),
  endTime: z.iso.datetime(),
  /** `namespace/pod` of the endpoint whose program saw the flow. */
  endpoint: z.string().max(317),
  direction: z.enum(['ingress', 'egress']),
  remote: z.string().max(64),
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
  count: z.number().int().positive(),
  bytes: z.number().int().nonnegative(),
});
export type FlowLogEntry = z.infer<typeof flowLogEntrySchema>;

export const flowLogBatchSchema = z.strictObject({
  nodeName: z.string().min(1).max(253),
  /** Bounded so one report cannot flood the store; the aggregator drops and counts the excess. */
  entries: z.array(flowLogEntrySchema).max(5_000),
  dropped: z.number().int().nonnegative().default(0),
});
export type FlowLogBatch = z.infer<typeof flowLogBatchSchema>;
