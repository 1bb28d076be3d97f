// Debian's promtool, run on our own outputs: a /metrics body (`check metrics`, on stdin), rule files
// (`check rules`, `test rules`). The exit code and output come back as values for the test to assert.
import { spawn } from 'node:child_process';

export const PROMTOOL = '/usr/bin/promtool';

export interface PromtoolResult {
  code: number | null;
  output: string;
}

export function promtool(args: readonly string[], stdin?: string): Promise<PromtoolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(PROMTOOL, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
    child.stdin.end(stdin ?? '');
  });
}

/** `promtool check metrics` on a scrape's body: exit 0 and no lint complaint. */
export const checkMetrics = (body: string) => promtool(['check', 'metrics'], body);
