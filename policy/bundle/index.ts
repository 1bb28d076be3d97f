export * from './canonical-json.ts';
export * from './payload.ts';
export * from './signing-keys.ts';
export * from './sign.ts';
export * from './verify.ts';
export * from './http.ts';
