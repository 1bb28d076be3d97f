// bpf/: eBPF in TypeScript. asm/ builds and assembles instructions (no kernel needed); maps/
// declares key/value layouts; kernel/ loads, runs, attaches and reads through libbpf (koffi).
export * from './errors.ts';
export * from './asm/index.ts';
export * from './maps/index.ts';
export * from './kernel/index.ts';
