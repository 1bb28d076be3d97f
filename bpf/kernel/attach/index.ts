export * from './attachment.ts';
export * from './probe.ts';
export * from './tc.ts';
export * from './tcx.ts';
export * from './xdp.ts';
