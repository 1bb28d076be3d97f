export * from './defaults.ts';
export * from './kind.ts';
export * from './normalise.ts';
export * from './schema.ts';
