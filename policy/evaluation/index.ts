export * from './endpoint-policy.ts';
export * from './resolve.ts';
export * from './evaluate.ts';
export * from './reachable.ts';
export * from './lpm.ts';
