import { randomUUID } from 'node:crypto';
import { emailKey } from '../../src/accounts/email.ts';
import { createArgon2idHasher } from '../../src/accounts/password-hashing.ts';
import { createDatabase } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { createPasswordResetToken } from '../../src/reset/reset-tokens.ts';

export const BENCH_PASSWORD = 'velvet lantern orbit 42';

export interface Seeded {
  emails: string[];
  /** One valid reset token per user, in the users' order (issuing one revokes the older). */
  tokens: string[];
}

export const userEmail = (index: number) => `rider${index}@bench.example.com`;

/**
 * A migrated SQLite file with `users` accounts (all with the same production-strength
 * argon2id hash of BENCH_PASSWORD, computed once) and one fresh reset token each, made by
 * the domain's own createPasswordResetToken.
 */
export async function seedDatabase(
  path: string,
  users: number,
  options: { tokens?: boolean } = {},
): Promise<Seeded> {
  const database = createDatabase(`sqlite:${path}`);
  await migrateToLatest(database.db);
  const hash = await createArgon2idHasher().hash(BENCH_PASSWORD);
  const now = Date.now();
  const emails = Array.from({ length: users }, (_, i) => userEmail(i));
  const tokens: string[] = [];
  await database.db.transaction().execute(async (trx) => {
    for (const email of emails) {
      const id = randomUUID();
      await trx
        .insertInto('users')
        .values({
          id,
          email,
          email_key: emailKey(email),
          password_hash: hash,
          first_name: 'Bench',
          last_name: 'Rider',
          is_active: 1,
          created_at: now,
          updated_at: now,
        })
        .execute();
      if (options.tokens !== false) {
        const { token } = await createPasswordResetToken(trx, id, now, 3600);
        tokens.push(token);
      }
    }
  });
  await database.close();
  return { emails, tokens };
}
