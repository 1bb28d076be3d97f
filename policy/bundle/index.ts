export * from './canonical-json.ts';
export * from './http.ts';
export * from './payload.ts';
export * from './sign.ts';
export * from './signing-keys.ts';
export * from './verify.ts';
