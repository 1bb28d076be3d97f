// The datapath: policy programs per endpoint and direction (codegen/, pure), loading (load.ts),
// the node's shared maps and pins, and the eBPF Dataplane the agent runs (ebpf-dataplane.ts).
export * from './ebpf-dataplane.ts';
export * from './errors.ts';
export * from './flows.ts';
export * from './limits.ts';
export { compileDirection, type CompiledProgram, type CompileOptions, type CompiledStats } from './codegen/program.ts';
export type { RuleIdentity, RuleSlot } from './codegen/slots.ts';
export type { StrategyName } from './codegen/strategy.ts';
export { loadCompiledProgram, type LoadedProgram, type RuleCount } from './load.ts';
export { createSharedMaps, openSharedMaps, type SharedMaps } from './shared-maps.ts';
export { pinLayout } from './pins.ts';
