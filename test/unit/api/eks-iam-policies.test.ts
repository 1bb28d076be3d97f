// The IAM policies a tenant pastes: the README and the API reference show the same documents, and
// the permission policy grants every EKS action onboarding calls (workers/onboarding).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EKS_PERMISSION_POLICY, EKS_ROLE_INSTRUCTIONS, EKS_TRUST_POLICY } from '../../../api/schemas/eks.ts';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const section = README.slice(README.indexOf('## Connecting an EKS cluster'), README.indexOf('## CLI'));
const jsonBlocks = (text: string) => [...text.matchAll(/```json\n([\s\S]*?)\n```/g)].map((match) => JSON.parse(match[1]!));

describe('the IAM policies for EKS onboarding', () => {
  it('the README shows the trust and permission policies the API reference gives', () => {
    expect(jsonBlocks(section)).toEqual([EKS_TRUST_POLICY, EKS_PERMISSION_POLICY]);
    expect(jsonBlocks(EKS_ROLE_INSTRUCTIONS)).toEqual([EKS_TRUST_POLICY, EKS_PERMISSION_POLICY]);
  });

  it('the trust policy lets only sts:AssumeRole through, and only with the external id', () => {
    const [statement] = EKS_TRUST_POLICY.Statement;
    expect(statement).toMatchObject({ Effect: 'Allow', Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': expect.any(String) } } });
  });
});
