// The agent's Kubernetes inventory must not load @kubernetes/client-node at run time: importing it
// costs ~77 MiB of resident memory. A child process loads what the agent loads for that inventory
// (agent/main.ts, then what its openInventory imports) with a module hook that refuses to resolve the
// package; type-only imports are erased before resolution, so only a run-time import trips it.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const HOOK = `data:text/javascript,${encodeURIComponent(
  `export async function resolve(specifier, context, next) {
     if (specifier === '@kubernetes/client-node' || specifier.startsWith('@kubernetes/client-node/'))
       throw new Error('@kubernetes/client-node loaded by ' + context.parentURL);
     return next(specifier, context);
   }`,
)}`;
const REGISTER = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(HOOK)});`)}`;

function loadInChild(script: string): string {
  try {
    return execFileSync(process.execPath, ['--import', 'tsx', '--import', REGISTER, '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: 'pipe',
    });
  } catch (error) {
    return `failed: ${(error as { stderr?: string }).stderr ?? String(error)}`;
  }
}

describe('the agent with a Kubernetes inventory', () => {
  it('does not load @kubernetes/client-node', () => {
    const output = loadInChild(
      `await import('./agent/main.ts');
       await import('./agent/inventory/kube-api/connection.ts');
       await import('./agent/inventory/kubernetes-source.ts');
       console.log('loaded');`,
    );
    expect(output.trim()).toBe('loaded');
  });

  it('would be caught if it did (the hook refuses the package)', () => {
    expect(loadInChild(`await import('@kubernetes/client-node'); console.log('loaded');`)).toContain('@kubernetes/client-node loaded by');
  });
});
