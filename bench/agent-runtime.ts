// How the bench starts the real agent: compiled to JavaScript as it ships (`npm run build` compiles
// agent/ with tsc into dist/agent/main.js, and images run that with plain node), or through tsx as
// `npm run agent` runs it in development. Issue 13 asks the bench to measure what ships, with tsx
// beside it for comparison.
//
// The compiled agent is built for the run by the build's own compile step (build/compile.ts) into a
// directory under the repository root, so its npm imports (koffi, pino, ...) resolve from the
// repository's node_modules as they do from the one beside dist/ in an image; it is removed at the end.
// The process is started by lab/run/agent-process.ts, as for tsx; only the command differs: the
// compiled agent runs with the node flags the image and the DaemonSet give it (AGENT_NODE_FLAGS).
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../build/compile.ts';
import { type AgentProcess, type AgentProcessOptions, REPO_ROOT, startAgentProcess } from '../lab/run/agent-process.ts';
import { onExitSync } from '../lab/run/exit-hooks.ts';
import { AGENT_NODE_FLAGS } from '../workers/onboarding/agent-manifests.ts';
import { progress } from './progress.ts';

export type AgentRuntime = { kind: 'tsx' } | { kind: 'compiled'; entry: string };

interface CompiledAgent {
  runtime: AgentRuntime;
  close(): void;
}

/** The agent as the bench measures it: compiled as it ships, or tsx with why when it does not compile. */
export interface BenchAgent {
  runtime: AgentRuntime;
  compileFailure?: string;
}

/** Compiles the agent for `run` and removes the output after; a failed compile runs it through tsx. */
export async function withShippedAgent<T>(run: (agent: BenchAgent) => Promise<T>): Promise<T> {
  progress('agent: compiling it as npm run build does (tsc)');
  const compiled = compileAgent();
  if (!compiled.ok) {
    progress(`agent: it does not compile, measuring it through tsx: ${compiled.reason}`);
    return run({ runtime: { kind: 'tsx' }, compileFailure: compiled.reason });
  }
  try {
    return await run({ runtime: compiled.agent.runtime });
  } finally {
    compiled.agent.close();
  }
}

/** tsc over bin/ and agent/ as `npm run build` does, or why it does not compile. */
function compileAgent(): { ok: true; agent: CompiledAgent } | { ok: false; reason: string } {
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
  return startAgentProcess(runtime.kind === 'tsx' ? options : { ...options, command: [process.execPath, ...AGENT_NODE_FLAGS, runtime.entry] });
}
