import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx', 'e2e/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests print loud skip notices themselves; keep the reporter plain for CI logs.
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
