import { afterEach, beforeEach, expect, it } from 'vitest';
import { createDatabase, type Db } from '../src/db/database.ts';
import { FIELD_MESSAGES } from '../src/messages.ts';
import { confirmPasswordReset } from '../src/reset/confirm-password-reset.ts';
import { revokeUserResetTokens } from '../src/reset/reset-tokens.ts';
import { describePostgres } from './support/databases.ts';
import {
  createPostgresDatabase,
  gate,
  type PostgresDatabase,
  waitForLockWait,
} from './support/postgres.ts';
import {
  registerUser,
  requestResetToken,
  startTestService,
  type TestService,
} from './support/service.ts';

const EMAIL = 'ada@example.com';
const NEW_PASSWORD = 'velocipede sprocket 42';

describePostgres('a reset and a new link for one account at the same moment', () => {
  let database: PostgresDatabase;
  let t: TestService;
  let other: Db;
  beforeEach(async () => {
    database = await createPostgresDatabase();
    t = await startTestService({}, { databaseUrl: database.url });
    other = createDatabase(database.url, { poolSize: 2 });
  });
  afterEach(async () => {
    await other.close();
    await t.close();
    await database.drop();
  });

  it('both take the account before its tokens, so neither deadlocks the other', async () => {
    const user = await registerUser(t, { email: EMAIL });
    const token = await requestResetToken(t, EMAIL);

    // What the worker does for a new forgot-password request: the account row, then its
    // tokens (a new link revokes the older ones), in one transaction.
    const { released, release } = gate();
    const { released: held, release: holding } = gate();
    const newLink = other.db.transaction().execute(async (trx) => {
      await trx.selectFrom('users').select('id').where('id', '=', user.id).forUpdate().execute();
      holding();
      await released;
      await revokeUserResetTokens(trx, user.id, t.clock.now());
    });
    await held;

    const reset = confirmPasswordReset(t.service.deps, {
      token,
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    await waitForLockWait(other.db, 'the reset to wait for the account');
    release();

    // Had the reset taken the token first, PostgreSQL would abort one side as a deadlock.
    await newLink;
    expect(await reset).toEqual({ ok: false, errors: { token: [FIELD_MESSAGES.expiredToken] } });
  });
});
