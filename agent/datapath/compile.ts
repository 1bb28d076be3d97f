// The compile phase (pure): every program the plan needs and the node does not run yet becomes
// eBPF instructions (codegen/program.ts). A program that does not compile within the limits refuses
// the phase, naming every endpoint that would have run it; nothing has touched the kernel yet.
import type { EndpointKey } from '../../policy/inventory.ts';
import type { StrategyName } from './codegen/evaluation.ts';
import { type CompiledProgram, compileDirection } from './codegen/program.ts';
import type { DataplaneError } from './dataplane.ts';
import { DatapathError } from './errors.ts';
import type { ProgramNeed } from './plan.ts';

/** A compiled program with the endpoints that will run it (named in a load error). */
export interface CompiledNeed {
  compiled: CompiledProgram;
  endpoints: readonly EndpointKey[];
}

export type CompileResult = { ok: true; compiled: Map<string, CompiledNeed> } | { ok: false; errors: DataplaneError[] };

export interface CompilePhaseOptions {
  /** Force one evaluation strategy for every program (default: chosen by size; codegen/strategy.ts). */
  strategy?: StrategyName;
}

/** Compiles `needs` (by program key). */
export function compilePrograms(needs: ReadonlyMap<string, ProgramNeed>, options: CompilePhaseOptions = {}): CompileResult {
  const compiled = new Map<string, CompiledNeed>();
  const errors: DataplaneError[] = [];
  for (const [key, need] of needs) {
    try {
      const program = compileDirection(need.direction, need.policy, { ...(options.strategy && { strategy: options.strategy }), bandwidth: need.bandwidth });
      compiled.set(key, { compiled: program, endpoints: need.endpoints });
    } catch (error) {
      const code = error instanceof DatapathError ? error.code : 'COMPILE_FAILED';
      for (const endpoint of need.endpoints) errors.push({ code, message: (error as Error).message, endpoint });
    }
  }
  return errors.length === 0 ? { ok: true, compiled } : { ok: false, errors };
}
