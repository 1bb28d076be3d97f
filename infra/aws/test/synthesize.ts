// The two stacks as a deployment would synthesize them (certificate and alarm mail given), as
// assertion templates, plus small readers for the resources the tests look into.
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { inject } from 'vitest';
import { readSettings } from '../lib/settings.ts';
import { buildStacks } from '../lib/stacks.ts';

export const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000';

export function synthesize(context: Record<string, unknown> = {}) {
  const values: Record<string, unknown> = {
    apiBundleDir: inject('apiBundleDir'),
    agentCertificateArn: CERTIFICATE_ARN,
    alarmEmail: 'oncall@example.com',
    natGateways: 2,
    ...context,
  };
  const app = new App({ context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong' } });
  const stacks = buildStacks(
    app,
    readSettings((name) => values[name]),
  );
  return { stacks, data: Template.fromStack(stacks.data), app: Template.fromStack(stacks.app) };
}

export type Resource = { Type: string; Properties?: Record<string, unknown>; DependsOn?: string[] };

export function resourcesOf(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type) as Record<string, Resource>);
}

/** The one resource of a type whose logical id starts with the construct path given (e.g. 'Delivery'). */
export function resourceNamed(template: Template, type: string, prefix: string): [string, Resource] {
  const found = resourcesOf(template, type).filter(([id]) => id.startsWith(prefix));
  if (found.length !== 1) throw new Error(`expected one ${type} under ${prefix}, found ${found.map(([id]) => id).join(', ') || 'none'}`);
  return found[0]!;
}

export interface ContainerDefinition {
  Command?: string[];
  Environment?: { Name: string; Value: unknown }[];
  Secrets?: { Name: string; ValueFrom: unknown }[];
  ReadonlyRootFilesystem?: boolean;
  LogConfiguration?: { LogDriver: string };
}

export function containerOf(template: Template, prefix: string): ContainerDefinition {
  const [, task] = resourceNamed(template, 'AWS::ECS::TaskDefinition', prefix);
  return (task.Properties!.ContainerDefinitions as ContainerDefinition[])[0]!;
}

export function environmentOf(container: { Environment?: { Name: string; Value: unknown }[] }): Record<string, unknown> {
  return Object.fromEntries((container.Environment ?? []).map(({ Name, Value }) => [Name, Value]));
}
