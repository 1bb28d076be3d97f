// How the bench starts the real agent: as it ships (`npm run build` bundles agent/main.ts with esbuild
// into dist/agent/main.js, and images run that with plain node), or through tsx as `npm run agent`
// runs it in development. Issue 13 asks the bench to measure what ships, with tsx beside it for
// comparison.
//
// The shipped agent is built for the run by the build's own function (build/agent-bundle.ts) into a
// directory under the repository root, so what stays an import (koffi) resolves from the
// repository's node_modules as it does from the one beside dist/ in an image; it is removed at the end.
// The process is started by lab/run/agent-process.ts, as for tsx; only the command differs: the
// bundled agent runs with the node flags the image and the DaemonSet give it (AGENT_NODE_FLAGS).
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bundleAgent } from '../build/agent-bundle.ts';
import { type AgentProcess, type AgentProcessOptions, REPO_ROOT, startAgentProcess } from '../lab/run/agent-process.ts';
import { onExitSync } from '../lab/run/exit-hooks.ts';
import { AGENT_NODE_FLAGS } from '../workers/onboarding/agent-manifests.ts';
import { progress } from './progress.ts';

export type AgentRuntime = { kind: 'tsx' } | { kind: 'compiled'; entry: string };

interface CompiledAgent {
  runtime: AgentRuntime;
  close(): void;
}

/** The agent as the bench measures it: bundled as it ships, or tsx with why when it does not bundle. */
export interface BenchAgent {
  runtime: AgentRuntime;
  compileFailure?: string;
}

/** Builds the agent for `run` as it ships and removes the output after; a failed build runs it through tsx. */
export async function withShippedAgent<T>(run: (agent: BenchAgent) => Promise<T>): Promise<T> {
  progress('agent: bundling it as npm run build does (esbuild)');
  const compiled = await buildAgent();
  if (!compiled.ok) {
    progress(`agent: it does not build, measuring it through tsx: ${compiled.reason}`);
    return run({ runtime: { kind: 'tsx' }, compileFailure: compiled.reason });
  }
  try {
    return await run({ runtime: compiled.agent.runtime });
  } finally {
    compiled.agent.close();
  }
}

/** dist/agent as `npm run build` makes it, or why it cannot be built. */
async function buildAgent(): Promise<{ ok: true; agent: CompiledAgent } | { ok: false; reason: string }> {
  const outDir = mkdtempSync(join(REPO_ROOT, '.bench-dist-'));
  const forget = onExitSync(() => rmSync(outDir, { recursive: true, force: true }));
  const close = () => {
    rmSync(outDir, { recursive: true, force: true });
    forget();
  };
  const bundled = await bundleAgent(REPO_ROOT, join(outDir, 'agent'));
  if (!bundled.ok) {
    close();
    return { ok: false, reason: `${bundled.code}: ${bundled.message.slice(0, 300)}` };
  }
  return { ok: true, agent: { runtime: { kind: 'compiled', entry: bundled.entry }, close } };
}

export function startBenchAgent(runtime: AgentRuntime, options: AgentProcessOptions): Promise<AgentProcess> {
  return startAgentProcess(runtime.kind === 'tsx' ? options : { ...options, command: [process.execPath, ...AGENT_NODE_FLAGS, runtime.entry] });
}
