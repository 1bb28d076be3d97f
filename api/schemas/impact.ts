// Impact preview on the wire: the query parameters that ask for it on a dry run (apply, create,
// replace) and the answer, observed flows whose verdict the change would flip, grouped.
import { z } from '@hono/zod-openapi';
import { actionSchema } from '../../policy/ir.ts';
import { validationFailed } from '../errors/api-error.ts';

/** The longest look back: the longest plan's flow retention (30 days); older flows are gone anyway. */
export const IMPACT_MAX_LOOKBACK_HOURS = 30 * 24;
export const IMPACT_DEFAULT_LOOKBACK_HOURS = 24;

const DURATION = /^(\d{1,6})([mhd])$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `since` as a duration back from now ('6h', '90m', '2d') or an ISO date-time; the look back it means, in ms. */
export function lookbackMs(since: string, now: Date): number | undefined {
  const duration = DURATION.exec(since);
  if (duration) return Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS];
  if (!z.iso.datetime().safeParse(since).success) return undefined;
  return now.getTime() - Date.parse(since);
}

export const impactQuery = {
  impact: z.enum(['true', 'false']).default('false').openapi({
    description: "With dryRun=true: also evaluate the cluster's observed flows against the would-be policy set and return those whose verdict changes",
  }),
  since: z
    .string()
    .max(40)
    .optional()
    .openapi({
      description: `With impact=true: how far back to look at observed flows, as a duration ('6h', '90m', '2d') or an ISO date-time; default ${IMPACT_DEFAULT_LOOKBACK_HOURS}h, at most ${IMPACT_MAX_LOOKBACK_HOURS}h`,
      example: '6h',
    }),
};

const decidingRuleSchema = z
  .object({
    tier: z.string(),
    policy: z.string(),
    ruleIndex: z
      .union([z.number().int(), z.literal('default')])
      .openapi({ description: "The rule's index in its policy, or 'default' for the tier's default action" }),
    action: actionSchema,
  })
  .openapi('ImpactDecidingRule');

export const impactSchema = z
  .object({
    since: z.string().openapi({ format: 'date-time', description: 'The start of the flows looked at' }),
    inventoryHash: z.string().openapi({ description: "Hash of the cluster's reported inventory the flows were evaluated against" }),
    flowsEvaluated: z.number().int().openapi({
      description:
        'Distinct flows (endpoint, direction, remote, protocol, port) evaluated: those seen by the endpoint directions whose policy the change touches (no other can flip)',
    }),
    unresolved: z.number().int().openapi({ description: 'Distinct flows not evaluated: their remote is no address' }),
    totals: z.object({
      allowToDeny: z.number().int().openapi({ description: 'Observed flow count (connections, or packets for denials) that would be denied' }),
      denyToAllow: z.number().int().openapi({ description: 'Observed flow count that would be allowed' }),
    }),
    changes: z
      .array(
        z.object({
          change: z.enum(['allowToDeny', 'denyToAllow']),
          direction: z.enum(['ingress', 'egress']).openapi({ description: "Which end's policy decides: the source's egress or the destination's ingress" }),
          source: z.string().openapi({ description: 'Source workload (namespace/owner-* or namespace/pod), or an address outside the inventory' }),
          destination: z.string().openapi({ description: 'Destination workload, or an address outside the inventory' }),
          protocol: z.number().int().openapi({ description: 'IANA protocol number' }),
          port: z.number().int().openapi({ description: "The server's port; 0 when the protocol has none" }),
          count: z.number().int().openapi({ description: 'Observed flow count (connections, or packets for denials)' }),
          flows: z.number().int().openapi({ description: 'Distinct flows in the group' }),
          decidedBy: decidingRuleSchema
            .nullable()
            .openapi({ description: 'The rule (or tier default) that would decide; null when no policy would (allowed by default)' }),
        }),
      )
      .openapi({ description: 'Groups of flows whose verdict would change, largest count first' }),
    changesOmitted: z.number().int().optional().openapi({ description: 'Groups left out of `changes` past its bound (the smallest)' }),
    sampled: z
      .object({
        rows: z.number().int().openapi({ description: 'Flow log rows evaluated' }),
        of: z.number().int().openapi({ description: 'Flow log rows in the window read, at the endpoint directions the change touches' }),
        since: z.string().openapi({
          format: 'date-time',
          description: 'The start of the window read (up to now): later than `since` when the read, newest first, ran out of time',
        }),
      })
      .optional()
      .openapi({
        description: 'Present when not every flow could be read and evaluated in time: the busiest flows of the window read were, these many rows of those',
      }),
  })
  .openapi('Impact');
export type Impact = z.infer<typeof impactSchema>;

export interface ImpactQuery {
  dryRun: 'true' | 'false';
  impact: 'true' | 'false';
  since?: string | undefined;
}

/**
 * The impact a request asks for, or undefined; refuses (422, naming the parameter) impact without a
 * dry run, since without impact, and a since that is no duration or date-time, in the future, or
 * further back than IMPACT_MAX_LOOKBACK_HOURS.
 */
export function impactRequestOf(query: ImpactQuery, now: Date): { since: Date } | undefined {
  if (query.impact !== 'true') {
    if (query.since !== undefined) throw validationFailed([{ path: 'query.since', message: 'is read only with impact=true' }]);
    return undefined;
  }
  if (query.dryRun !== 'true')
    throw validationFailed([{ path: 'query.impact', message: 'needs dryRun=true: the preview evaluates a change that is not written' }]);
  const lookback = query.since === undefined ? IMPACT_DEFAULT_LOOKBACK_HOURS * UNIT_MS.h : lookbackMs(query.since, now);
  if (lookback === undefined) throw validationFailed([{ path: 'query.since', message: "must be a duration ('6h', '90m', '2d') or an ISO date-time" }]);
  if (lookback <= 0) throw validationFailed([{ path: 'query.since', message: 'must be in the past' }]);
  if (lookback > IMPACT_MAX_LOOKBACK_HOURS * UNIT_MS.h) {
    throw validationFailed([{ path: 'query.since', message: `must be at most ${IMPACT_MAX_LOOKBACK_HOURS}h back (the longest flow retention)` }]);
  }
  return { since: new Date(now.getTime() - lookback) };
}
