// What a kind is: a schema for what users write, the stored (GET) form after the kind's defaulting,
// and its translation into the IR. Adding a kind is one definition plus one registry entry.
// Most kinds are policies (normalised to an IR Policy); Calico's Tier and network sets and palisade's
// BandwidthPolicy are not, but are validated, stored and normalised the same way (to a
// TierDefinition, a NetworkSet or an IR BandwidthPolicy).
import type { z } from 'zod';
import type { BandwidthPolicy, HostEndpoint, NetworkSet, Policy, TierDefinition } from '../ir.ts';
import { kubernetesErrorMap, type PolicyIssue, toPolicyIssues } from './issues.ts';
import { dropNullFields } from './shared/absent-nulls.ts';

export interface KindDefinition<Input, Stored, Ir> {
  apiVersion: string;
  kind: string;
  /** The written form with all of the kind's validation; also what the OpenAPI document shows. */
  schema: z.ZodType<Input>;
  /** Defaults applied, read-only and empty fields dropped: what is stored and what GET returns. */
  toStored(parsed: Input): Stored;
  normalise(stored: Stored): Ir;
  /**
   * What was accepted but read differently from how it is written (a net with host bits read as its
   * network): the write succeeds and answers with these, paths from the object's root.
   */
  warnings?(parsed: Input): PolicyIssue[];
}

export type PolicyKindDefinition<Input, Stored> = KindDefinition<Input, Stored, Policy>;

/** What an accepted object means in the IR. */
export type NormalisedResource =
  | { type: 'policy'; policy: Policy }
  | { type: 'tier'; tier: TierDefinition }
  | { type: 'networkSet'; networkSet: NetworkSet }
  | { type: 'bandwidthPolicy'; bandwidthPolicy: BandwidthPolicy }
  | { type: 'hostEndpoint'; hostEndpoint: HostEndpoint };
export type ResourceType = NormalisedResource['type'];

export type ParsePolicyResult =
  | { ok: true; apiVersion: string; kind: string; object: unknown; ir: Policy; warnings: PolicyIssue[] }
  | { ok: false; issues: PolicyIssue[] };

export type ParseObjectResult =
  | { ok: true; apiVersion: string; kind: string; object: unknown; resource: NormalisedResource; warnings: PolicyIssue[] }
  | { ok: false; issues: PolicyIssue[] };

/** A kind with its types hidden behind one operation, so kinds of different shapes share a table. */
export interface AcceptedKind {
  apiVersion: string;
  kind: string;
  resourceType: ResourceType;
  schema: z.ZodType;
  parse(object: unknown): ParseObjectResult;
}

/** A policy kind also answers with its IR Policy directly, as the policy API consumes it. */
export interface AcceptedPolicyKind extends AcceptedKind {
  resourceType: 'policy';
  accept(object: unknown): ParsePolicyResult;
}

type Validated<Stored> = { ok: true; stored: Stored; warnings: PolicyIssue[] } | { ok: false; issues: PolicyIssue[] };

function validate<Input, Stored>(definition: KindDefinition<Input, Stored, unknown>, object: unknown): Validated<Stored> {
  const parsed = definition.schema.safeParse(dropNullFields(object), { error: kubernetesErrorMap });
  if (!parsed.success) return { ok: false, issues: toPolicyIssues(parsed.error.issues) };
  return { ok: true, stored: definition.toStored(parsed.data), warnings: definition.warnings?.(parsed.data) ?? [] };
}

function defineKind<Input, Stored, Ir>(
  definition: KindDefinition<Input, Stored, Ir>,
  resourceType: ResourceType,
  wrap: (ir: Ir) => NormalisedResource,
): AcceptedKind {
  const { apiVersion, kind, schema } = definition;
  return {
    apiVersion,
    kind,
    resourceType,
    schema,
    parse(object) {
      const result = validate(definition, object);
      if (!result.ok) return result;
      return { ok: true, apiVersion, kind, object: result.stored, resource: wrap(definition.normalise(result.stored)), warnings: result.warnings };
    },
  };
}

export function definePolicyKind<Input, Stored>(definition: PolicyKindDefinition<Input, Stored>): AcceptedPolicyKind {
  const { apiVersion, kind } = definition;
  return {
    ...defineKind(definition, 'policy', (policy) => ({ type: 'policy', policy })),
    resourceType: 'policy',
    accept(object) {
      const result = validate(definition, object);
      if (!result.ok) return result;
      return { ok: true, apiVersion, kind, object: result.stored, ir: definition.normalise(result.stored), warnings: result.warnings };
    },
  };
}

export function defineTierKind<Input, Stored>(definition: KindDefinition<Input, Stored, TierDefinition>): AcceptedKind {
  return defineKind(definition, 'tier', (tier) => ({ type: 'tier', tier }));
}

export function defineNetworkSetKind<Input, Stored>(definition: KindDefinition<Input, Stored, NetworkSet>): AcceptedKind {
  return defineKind(definition, 'networkSet', (networkSet) => ({ type: 'networkSet', networkSet }));
}

export function defineBandwidthPolicyKind<Input, Stored>(definition: KindDefinition<Input, Stored, BandwidthPolicy>): AcceptedKind {
  return defineKind(definition, 'bandwidthPolicy', (bandwidthPolicy) => ({ type: 'bandwidthPolicy', bandwidthPolicy }));
}

export function defineHostEndpointKind<Input, Stored>(definition: KindDefinition<Input, Stored, HostEndpoint>): AcceptedKind {
  return defineKind(definition, 'hostEndpoint', (hostEndpoint) => ({ type: 'hostEndpoint', hostEndpoint }));
}
