export * from './attachment.ts';
export * from './tcx.ts';
export * from './tc.ts';
export * from './probe.ts';
