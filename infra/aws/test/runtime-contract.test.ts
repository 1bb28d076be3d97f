// The drift guard between the deployment and the program it runs: every environment variable a
// function or task is given is one bin/config.ts declares, every container command is a `palisade`
// server command, and each PALISADE_ROLE is one its command runs. The app's side is read from the
// repository's own sources (through the root install's tsx, as the Lambda build is: this package does
// not type-check the app), the deployment's side from the synthesized template.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../lib/settings.ts';
import { type ContainerDefinition, resourcesOf, synthesize } from './synthesize.ts';

interface AppContract {
  variables: string[];
  roles: string[];
  commands: string[];
}

/** Set by the runtimes themselves or read by Node, not by palisade: a deployment may set these too. */
const RUNTIME_VARIABLES = ['NODE_OPTIONS'];
/** Which PALISADE_ROLE values each command accepts (bin/palisade.ts refuses the others). */
const ROLES_OF_COMMAND: Record<string, (string | undefined)[]> = {
  serve: ['all', 'api', 'delivery'],
  worker: ['worker', undefined],
  migrate: [undefined],
  'signing-keys': [undefined],
};

function readAppContract(): AppContract {
  const script = `
    const { CONFIG_VARIABLES, PROCESS_ROLES } = await import('./bin/config.ts');
    const { SERVER_COMMANDS } = await import('./bin/server-commands.ts');
    process.stdout.write(JSON.stringify({ variables: CONFIG_VARIABLES, roles: PROCESS_ROLES, commands: SERVER_COMMANDS }));`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], { cwd: REPOSITORY_ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`reading bin/config.ts failed (exit ${run.status}):\n${run.stderr}`);
  return JSON.parse(run.stdout) as AppContract;
}

interface Process {
  name: string;
  command: string[] | undefined;
  environment: Record<string, unknown>;
}

let contract: AppContract;
let processes: Process[];

beforeAll(() => {
  contract = readAppContract();
  const { app } = synthesize();
  const containers = resourcesOf(app, 'AWS::ECS::TaskDefinition').map(([id, task]) => {
    const [container] = task.Properties!.ContainerDefinitions as ContainerDefinition[];
    return {
      name: id,
      command: container!.Command,
      environment: Object.fromEntries([
        ...(container!.Environment ?? []).map(({ Name, Value }) => [Name, Value] as const),
        ...(container!.Secrets ?? []).map(({ Name, ValueFrom }) => [Name, ValueFrom] as const),
      ]),
    };
  });
  const [api] = resourcesOf(app, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('ApiFunction'));
  const lambdaVariables = (api![1].Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
  processes = [...containers, { name: api![0], command: undefined, environment: lambdaVariables }];
});

describe('the deployment and the palisade it runs', () => {
  it('reads the app side: the schema and the command list are there to check against', () => {
    expect(contract.variables).toEqual(expect.arrayContaining(['DATABASE_URL', 'PALISADE_ROLE', 'DATABASE_IAM_AUTH', 'SIGNING_KEYS_SECRET_ARN']));
    expect(contract.commands).toEqual(expect.arrayContaining(['serve', 'worker', 'migrate', 'signing-keys']));
    // The API function, the delivery, worker, migration and rotation tasks.
    expect(processes.length).toBeGreaterThanOrEqual(5);
  });

  it('sets only variables bin/config.ts declares', () => {
    const known = new Set([...contract.variables, ...RUNTIME_VARIABLES]);
    const undeclared = processes.flatMap(({ name, environment }) =>
      Object.keys(environment)
        .filter((variable) => !known.has(variable))
        .map((variable) => `${name}: ${variable}`),
    );
    expect(undeclared).toEqual([]);
  });

  it('runs only commands the palisade binary has, each in a role that command takes', () => {
    for (const { name, command, environment } of processes.filter((process) => process.command !== undefined)) {
      const [first] = command!;
      expect(contract.commands, name).toContain(first);
      expect(ROLES_OF_COMMAND[first!], name).toContain(environment.PALISADE_ROLE);
    }
    const lambdaRole = processes.find((process) => process.command === undefined)!.environment.PALISADE_ROLE;
    expect(lambdaRole).toBe('api');
    for (const { environment } of processes) if (environment.PALISADE_ROLE !== undefined) expect(contract.roles).toContain(environment.PALISADE_ROLE);
  });
});
