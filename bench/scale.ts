// Issue 13 items 4 and 5 together: 250 pods on one node (pods-per-node.ts), and the agent as it ships
// from process start to its first 10,000-rule bundle applied (agent-memory.ts's run, timed), bundled
// by the build's esbuild step and, for comparison, through tsx. When the agent does not build, the
// shipped figure is tsx's and the report says why.
import { type AgentMemoryResult, measureAgentMemory } from './agent-memory.ts';
import type { AgentRuntime, BenchAgent } from './agent-runtime.ts';
import type { BundleIssuer } from './bundles.ts';
import type { BenchLab } from './lab.ts';
import { measurePodsPerNode } from './pods-per-node.ts';
import type { ScaleResults } from './report.ts';

export const SCALE_RULES = 10_000;
export const SCALE_ENDPOINTS = 1000;
const PODS_PER_NODE = 250;

export interface ScaleOptions {
  rounds: number;
  nextRevision(): number;
  appliedRevision(): number;
  /** The agent as it ships (bench/agent-runtime.ts withShippedAgent). */
  agent: BenchAgent;
  /** Its run at 10,000 rules and 1,000 endpoints, when the caller has measured it already. */
  shipped?: AgentMemoryResult;
}

export async function measureScale(lab: BenchLab, issuer: BundleIssuer, options: ScaleOptions): Promise<ScaleResults> {
  const { runtime, compileFailure } = options.agent;
  // The cold applies first: pods-per-node ends by deleting 250 network namespaces, which the kernel
  // tears down in the background for seconds after, and an agent started then competes with it.
  const agentRun = (r: AgentRuntime) =>
    measureAgentMemory(lab, issuer, { rules: SCALE_RULES, endpoints: SCALE_ENDPOINTS, revision: options.nextRevision(), runtime: r });
  const shipped = options.shipped ?? (await agentRun(runtime));
  const tsx = runtime.kind === 'tsx' ? shipped : await agentRun({ kind: 'tsx' });
  const podsPerNode = await measurePodsPerNode(issuer, {
    endpoints: PODS_PER_NODE,
    rules: SCALE_RULES,
    runtime,
    rounds: options.rounds,
    nextRevision: options.nextRevision,
    appliedRevision: options.appliedRevision,
  });
  return { podsPerNode, coldApply: { shipped, tsx, ...(compileFailure !== undefined && { compileFailure }) } };
}
