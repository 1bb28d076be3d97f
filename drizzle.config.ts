import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema/index.ts',
  out: './migrations',
  // The application role is created by our own first migration (it is cluster-wide, and must exist
  // before the policies that name it), so drizzle-kit must not try to manage roles.
  entities: { roles: false },
});
