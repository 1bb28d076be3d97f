// The status report's numbers for one endpoint (dataplane.ts ProgramStats): instructions and
// strategy per direction, rules, maps and address-set entries, from the programs on its hooks.
import { type Hook, policyDirectionOf } from './codegen/hooks.ts';
import type { ProgramStats } from './dataplane.ts';
import type { LoadedProgram } from './load.ts';
import type { HookPlan } from './plan.ts';
import { BANDWIDTH_MAP_NAMES, SHARED_MAP_NAMES } from './shared-maps.ts';

export function endpointStats(hooks: readonly { hook: Hook; plan: HookPlan; program: LoadedProgram }[]): ProgramStats {
  const stats = hooks.map((h) => h.program.compiled.stats);
  const sharedMaps = SHARED_MAP_NAMES.length - (hooks.some((h) => h.plan.bandwidth) ? 0 : BANDWIDTH_MAP_NAMES.length);
  return {
    instructions: Object.fromEntries(hooks.map((h) => [policyDirectionOf(h.hook), h.program.compiled.stats.instructions])),
    // Only programs that evaluate a policy have a strategy; a direction without policy just tracks flows.
    strategy: [...new Set(hooks.filter((h) => h.plan.policy).map((h) => h.program.compiled.stats.strategy))].join(',') || 'none',
    rules: stats.reduce((n, s) => n + s.rules, 0),
    // the node's shared maps, plus each program's counters and address-set trie
    maps: sharedMaps + hooks.reduce((n, h) => n + 1 + (h.program.maps.ipsets ? 1 : 0), 0),
    ipSetEntries: stats.reduce((n, s) => n + s.ipSetEntries, 0),
    hashes: Object.fromEntries(hooks.map((h) => [policyDirectionOf(h.hook), h.plan.policy?.hash ?? null])),
  };
}
