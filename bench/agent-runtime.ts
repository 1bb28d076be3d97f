// How the bench starts the real agent: compiled to JavaScript as it ships (`npm run build` compiles
// agent/ with tsc into dist/agent/main.js, and images run that with plain node), or through tsx as
// `npm run agent` runs it in development. Issue 13 asks the bench to measure what ships, with tsx
// beside it for comparison.
//
// The compiled agent is built for the run by the build's own compile step (build/compile.ts) into a
// directory under the repository root, so its npm imports (koffi, pino, ...) resolve from the
// repository's node_modules as they do from the one beside dist/ in an image; it is removed at the end.
// The process is spawned in the node netns exactly as lab/run/agent-process.ts does for tsx
// (nodeExecArgv), only the command differs.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../build/compile.ts';
import { type AgentProcess, type AgentProcessOptions, nodeExecArgv, REPO_ROOT, startAgentProcess } from '../lab/run/agent-process.ts';
import { RunError } from '../lab/run/errors.ts';
import { onExitSync } from '../lab/run/exit-hooks.ts';

export type AgentRuntime = { kind: 'tsx' } | { kind: 'compiled'; entry: string };

export interface CompiledAgent {
  runtime: AgentRuntime;
  close(): void;
}

/** tsc over bin/ and agent/ as `npm run build` does, or why it does not compile. */
export function compileAgent(): { ok: true; agent: CompiledAgent } | { ok: false; reason: string } {
  const outDir = mkdtempSync(join(REPO_ROOT, '.bench-dist-'));
  const forget = onExitSync(() => rmSync(outDir, { recursive: true, force: true }));
  const close = () => {
    rmSync(outDir, { recursive: true, force: true });
    forget();
  };
  const compiled = compile(REPO_ROOT, outDir);
  if (!compiled.ok) {
    close();
    return { ok: false, reason: `${compiled.code}: ${compiled.message.slice(0, 300)}` };
  }
  return { ok: true, agent: { runtime: { kind: 'compiled', entry: join(outDir, 'agent', 'main.js') }, close } };
}

export function startBenchAgent(runtime: AgentRuntime, options: AgentProcessOptions): Promise<AgentProcess> {
  return runtime.kind === 'tsx' ? startAgentProcess(options) : startCompiled(runtime.entry, options);
}

async function startCompiled(entry: string, options: AgentProcessOptions): Promise<AgentProcess> {
  const { NODE_OPTIONS: _drop, ...env } = process.env; // the bench's tsx loader is not the agent's
  const fd = openSync(options.logFile, 'a');
  const argv = nodeExecArgv(options.netns, [process.execPath, entry, ...options.args]);
  const child = spawn(argv[0]!, argv.slice(1), { cwd: REPO_ROOT, env: { ...env, ...options.env }, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const pid = child.pid;
  if (pid === undefined) throw new Error('cannot start the compiled agent');
  options.onSpawn?.(pid);
  const logTail = (lines = 20) => {
    try {
      const size = statSync(options.logFile).size;
      return readFileSync(options.logFile, 'utf8')
        .slice(Math.max(0, size - 64 * 1024))
        .trimEnd()
        .split('\n')
        .slice(-lines)
        .join('\n');
    } catch {
      return '';
    }
  };
  let exitError: RunError | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      options.onExit?.(pid);
      exitError = new RunError('agent_failed', `the compiled agent exited (code ${code}, signal ${signal})`, { log: logTail(40) });
      resolve();
    }),
  );
  child.on('error', () => {}); // reported through 'exit'
  let stopping: Promise<void> | undefined;
  const signal = async (name: NodeJS.Signals, graceMs: number) => {
    if (exitError) return;
    child.kill(name);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exit;
    clearTimeout(timer);
  };
  return {
    pid,
    exited: () => exitError,
    logTail,
    stop: (graceMs = 3000) => (stopping ??= signal('SIGTERM', graceMs)),
    kill: () => signal('SIGKILL', 0),
  };
}
