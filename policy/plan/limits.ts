// Plan limits: what a tenant may create. Shared by the API (checked at write time) and the agent
// (checked again before compiling, since a bundle is the agent's only input).
import { z } from 'zod';

export const planLimitsSchema = z.strictObject({
  clusters: z.number().int().min(0),
  policies: z.number().int().min(0),
  rulesPerPolicy: z.number().int().min(0),
});
export type PlanLimits = z.infer<typeof planLimitsSchema>;
export type LimitName = keyof PlanLimits;

export const planNames = ['free', 'team', 'enterprise'] as const;
export type PlanName = (typeof planNames)[number];

export const PLANS: Record<PlanName, PlanLimits> = {
  free: { clusters: 3, policies: 200, rulesPerPolicy: 100 },
  team: { clusters: 25, policies: 5_000, rulesPerPolicy: 1_000 },
  enterprise: { clusters: 500, policies: 100_000, rulesPerPolicy: 10_000 },
};
