import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/build-api-bundle.ts'],
    // Synthesis fingerprints the image's build context and stages the Lambda bundle.
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
