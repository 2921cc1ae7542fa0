import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx', 'e2e/**/*.test.ts'],
    pool: 'forks',
    // One PostgreSQL per run (TEST_DATABASE_URL or started from the binaries); see the file.
    globalSetup: ['test/support/global-setup.ts', 'test/support/prerender-mail.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests print loud skip notices themselves; keep the reporter plain for CI logs.
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
