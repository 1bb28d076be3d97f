// Issue 13 items 4 and 5 together: 250 pods on one node (pods-per-node.ts), and the agent as it ships
// from process start to its first 10,000-rule bundle applied (agent-memory.ts's run, timed), compiled
// by the build's tsc step and, for comparison, through tsx. When the agent does not compile, the
// shipped figure is tsx's and the report says why.
import { type AgentMemoryResult, measureAgentMemory } from './agent-memory.ts';
import { type AgentRuntime, compileAgent } from './agent-runtime.ts';
import type { BundleIssuer } from './bundles.ts';
import type { BenchLab } from './lab.ts';
import { measurePodsPerNode } from './pods-per-node.ts';
import { progress } from './progress.ts';
import type { ScaleResults } from './report.ts';

export const SCALE_RULES = 10_000;
const SCALE_ENDPOINTS = 1000;
const PODS_PER_NODE = 250;

export interface ScaleOptions {
  rounds: number;
  nextRevision(): number;
  appliedRevision(): number;
  /** The tsx agent's run at 10,000 rules and 1,000 endpoints, when the caller has measured it already. */
  tsx?: AgentMemoryResult;
}

export async function measureScale(lab: BenchLab, issuer: BundleIssuer, options: ScaleOptions): Promise<ScaleResults> {
  progress('scale: compiling the agent as npm run build does (tsc)');
  const compiled = compileAgent();
  if (!compiled.ok) progress(`scale: the agent does not compile, measuring it through tsx: ${compiled.reason}`);
  const runtime: AgentRuntime = compiled.ok ? compiled.agent.runtime : { kind: 'tsx' };
  try {
    const podsPerNode = await measurePodsPerNode(issuer, { endpoints: PODS_PER_NODE, rules: SCALE_RULES, runtime, ...options });
    const agentRun = (r: AgentRuntime) =>
      measureAgentMemory(lab, issuer, { rules: SCALE_RULES, endpoints: SCALE_ENDPOINTS, revision: options.nextRevision(), runtime: r });
    const shipped = await agentRun(runtime);
    const tsx = options.tsx ?? (runtime.kind === 'tsx' ? shipped : await agentRun({ kind: 'tsx' }));
    return { podsPerNode, coldApply: { shipped, tsx, ...(!compiled.ok && { compileFailure: compiled.reason }) } };
  } finally {
    if (compiled.ok) compiled.agent.close();
  }
}
