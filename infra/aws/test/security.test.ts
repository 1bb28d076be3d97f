// Rules over every resource of both stacks: least privilege (no wildcard actions, `*` resources only
// where the action has no resource), nothing publicly reachable but the edge (CloudFront, the HTTP
// API, the agents' ALB), encryption at rest and log retention everywhere.
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { resourceNamed, resourcesOf, synthesize } from './synthesize.ts';

let templates: { name: string; template: Template }[];

beforeAll(() => {
  const { data, app } = synthesize();
  templates = [
    { name: 'data', template: data },
    { name: 'app', template: app },
  ];
});

interface Statement {
  Action: string | string[];
  Resource?: unknown;
}

function statements(template: Template): { where: string; statement: Statement }[] {
  const found: { where: string; statement: Statement }[] = [];
  for (const [id, policy] of resourcesOf(template, 'AWS::IAM::Policy')) {
    for (const statement of (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement) found.push({ where: id, statement });
  }
  for (const [id, role] of resourcesOf(template, 'AWS::IAM::Role')) {
    for (const inline of (role.Properties!.Policies as { PolicyDocument: { Statement: Statement[] } }[] | undefined) ?? []) {
      for (const statement of inline.PolicyDocument.Statement) found.push({ where: id, statement });
    }
  }
  return found;
}

const actionsOf = (statement: Statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]);

/** Actions IAM cannot scope to a resource, so `*` is the only resource they take. */
const RESOURCELESS_ACTIONS = new Set(['ecr:GetAuthorizationToken', 'logs:PutRetentionPolicy', 'logs:DeleteRetentionPolicy']);

describe('IAM', () => {
  it('grants no wildcard action, in either stack', () => {
    for (const { name, template } of templates) {
      const wildcards = statements(template).filter(({ statement }) => actionsOf(statement).some((action) => action.includes('*')));
      expect(wildcards, name).toEqual([]);
    }
  });

  it('grants `*` resources only for actions that take no resource', () => {
    for (const { name, template } of templates) {
      const broad = statements(template).filter(
        ({ statement }) => JSON.stringify(statement.Resource) === '"*"' && actionsOf(statement).some((action) => !RESOURCELESS_ACTIONS.has(action)),
      );
      expect(broad, name).toEqual([]);
    }
  });

  it('lets only the roles that open the database connect to it, as its one user', () => {
    const [, app] = templates;
    const connecting = statements(app!.template).filter(({ statement }) => actionsOf(statement).includes('rds-db:connect'));
    expect(connecting.map(({ where }) => where.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
      'ApiFunctionServiceRoleDefaultPolicy',
      'DeliveryTaskDefinitionTaskRoleDefaultPolicy',
      'MigrationsTaskDefinitionTaskRoleDefaultPolicy',
      'WorkerTaskDefinitionTaskRoleDefaultPolicy',
    ]);
    for (const { statement } of connecting) expect(JSON.stringify(statement.Resource)).toMatch(/dbuser:.*\/palisade"/);
  });
});

describe('reachability', () => {
  it('opens no security group to the internet but the agents ALB', () => {
    for (const { name, template } of templates) {
      const open = [
        ...resourcesOf(template, 'AWS::EC2::SecurityGroup').flatMap(([id, group]) =>
          ((group.Properties!.SecurityGroupIngress as { CidrIp?: string; CidrIpv6?: string }[] | undefined) ?? []).map((rule) => ({ id, rule })),
        ),
        ...resourcesOf(template, 'AWS::EC2::SecurityGroupIngress').map(([, rule]) => ({
          id: JSON.stringify(rule.Properties!.GroupId),
          rule: rule.Properties as { CidrIp?: string },
        })),
      ].filter(({ rule }) => rule.CidrIp !== undefined || (rule as { CidrIpv6?: string }).CidrIpv6 !== undefined);
      if (name === 'data') expect(open).toEqual([]);
      else {
        const [edge] = resourceNamed(template, 'AWS::EC2::SecurityGroup', 'DeliveryEdgeSecurityGroup');
        expect(open.map(({ id, rule }) => ({ id, rule }))).toEqual([{ id: edge, rule: expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443 }) }]);
      }
    }
  });

  it('gives no task a public address, no function a public URL, and only the edge a public scheme', () => {
    const [data, app] = templates.map(({ template }) => template);
    for (const [id, service] of resourcesOf(app!, 'AWS::ECS::Service')) {
      expect((service.Properties!.NetworkConfiguration as { AwsvpcConfiguration: { AssignPublicIp: string } }).AwsvpcConfiguration.AssignPublicIp, id).toBe(
        'DISABLED',
      );
    }
    app!.resourceCountIs('AWS::Lambda::Url', 0);
    expect(resourcesOf(app!, 'AWS::ElasticLoadBalancingV2::LoadBalancer').map(([id, lb]) => [id.replace(/[0-9A-F]{8}$/, ''), lb.Properties!.Scheme])).toEqual([
      ['DeliveryLoadBalancer', 'internet-facing'],
    ]);
    for (const [id, instance] of resourcesOf(data!, 'AWS::RDS::DBInstance')) expect(instance.Properties!.PubliclyAccessible, id).toBe(false);
  });
});

describe('at rest and in logs', () => {
  it('encrypts every data store', () => {
    const [data, app] = templates.map(({ template }) => template);
    data!.hasResourceProperties('AWS::RDS::DBCluster', { StorageEncrypted: true });
    for (const [id, bucket] of resourcesOf(app!, 'AWS::S3::Bucket')) expect(bucket.Properties!.BucketEncryption, id).toBeDefined();
    // ElastiCache Serverless and Secrets Manager encrypt at rest always; there is no switch to check.
  });

  it('sets a retention on every log group, and gives every function of ours one', () => {
    for (const { name, template } of templates) {
      for (const [id, group] of resourcesOf(template, 'AWS::Logs::LogGroup')) expect(group.Properties!.RetentionInDays, `${name} ${id}`).toBeGreaterThan(0);
    }
    const [, app] = templates;
    for (const prefix of ['ApiFunction', 'MigrationsRun']) {
      const [, fn] = resourceNamed(app!.template, 'AWS::Lambda::Function', prefix);
      expect(fn.Properties!.LoggingConfig, prefix).toMatchObject({ LogGroup: { Ref: expect.stringMatching(/Logs/) } });
    }
  });
});
