export * from './channels.ts';
export * from './client.ts';
export * from './errors.ts';
export * from './ids.ts';
export * from './migrate.ts';
export * from './rls-check.ts';
export * as schema from './schema/index.ts';
export * from './tenant-transaction.ts';
export * from './transaction.ts';
