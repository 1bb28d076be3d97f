// Shared assertions: an object accepted (its stored form and IR) or refused with a given issue.
import { expect } from 'vitest';
import { type NetworkSet, type Policy, policySchema, type TierDefinition } from '../../../policy/ir.ts';
import { type PolicyIssue, parseObject } from '../../../policy/kinds/index.ts';

export function issuesOf(object: unknown): PolicyIssue[] {
  const result = parseObject(object);
  return result.ok ? [] : result.issues;
}

/** The object is refused with exactly this message (or one matching it) at this path. */
export function expectIssue(object: unknown, path: (string | number)[], message: string | RegExp): void {
  const issues = issuesOf(object);
  const atPath = issues.filter((issue) => issue.path.join('.') === path.join('.'));
  expect(
    atPath.map((i) => i.message),
    `issues: ${JSON.stringify(issues)}`,
  ).toContainEqual(typeof message === 'string' ? message : expect.stringMatching(message));
}

export function expectValid(object: unknown): void {
  expect(issuesOf(object)).toEqual([]);
}

/** The stored (GET) form of an accepted object. */
export function storedOf(object: unknown): Record<string, unknown> {
  const result = parseObject(object);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.object as Record<string, unknown>;
}

/** The IR policy of an accepted policy object, checked against the IR schema. */
export function policyOf(object: unknown): Policy {
  const result = parseObject(object);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  if (result.resource.type !== 'policy') throw new Error(`not a policy: ${result.resource.type}`);
  return policySchema.parse(result.resource.policy);
}

export function tierOf(object: unknown): TierDefinition {
  const result = parseObject(object);
  if (!result.ok || result.resource.type !== 'tier') throw new Error(JSON.stringify(result));
  return result.resource.tier;
}

export function networkSetOf(object: unknown): NetworkSet {
  const result = parseObject(object);
  if (!result.ok || result.resource.type !== 'networkSet') throw new Error(JSON.stringify(result));
  return result.resource.networkSet;
}

/** Parsing the stored form again gives the same stored form. */
export function expectStoredIsStable(object: unknown): void {
  const stored = storedOf(object);
  expect(storedOf(stored)).toEqual(stored);
}
