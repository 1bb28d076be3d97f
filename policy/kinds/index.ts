export * from './define.ts';
export * from './issues.ts';
export * from './registry.ts';
