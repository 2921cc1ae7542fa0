import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * The integration suite again, on PostgreSQL: test/support/service.ts gives every test
 * service a fresh PostgreSQL database when REKEY_TEST_DATABASE=postgres. (Files that
 * already run per database with describeEachDatabase, and the PostgreSQL-only ones, run
 * in the main pass.)
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'test/accounts.test.ts',
      'test/audit-trail.test.ts',
      'test/envelope.test.ts',
      'test/forgot-password.test.ts',
      'test/mail-content.test.ts',
      'test/mail-durability.test.ts',
      'test/metrics.test.ts',
      'test/not-me.test.ts',
      'test/operations.test.ts',
      'test/rate-limits.test.ts',
      'test/reset-tokens.test.ts',
    ],
    env: { REKEY_TEST_DATABASE: 'postgres' },
  },
});
