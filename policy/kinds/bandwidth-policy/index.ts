export * from './schema.ts';
export * from './defaults.ts';
export * from './normalise.ts';
export * from './kind.ts';
