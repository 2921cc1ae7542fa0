import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { createSecretToken, hashSecretToken } from '../secret-token.ts';

type Executor = Kysely<Database>;

/** Long enough for someone who reads their mail once a week. */
export const NOT_ME_TOKEN_TTL_MS = 7 * 24 * 3600 * 1000;

export async function createNotMeToken(db: Executor, userId: string, now: number) {
  const token = createSecretToken();
  await db
    .insertInto('not_me_tokens')
    .values({
      token_hash: hashSecretToken(token),
      user_id: userId,
      created_at: now,
      expires_at: now + NOT_ME_TOKEN_TTL_MS,
      used_at: null,
    })
    .execute();
  return token;
}

export type NotMeTokenUse =
  | { ok: true; userId: string }
  | { ok: false; reason: 'invalid' | 'expired' };

/**
 * Uses the token up if, and only if, it is still usable; the condition is in the UPDATE,
 * so two clicks racing each other lock the account once.
 */
export async function consumeNotMeToken(
  db: Executor,
  token: string,
  now: number,
): Promise<NotMeTokenUse> {
  const tokenHash = hashSecretToken(token);
  const result = await db
    .updateTable('not_me_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  const row = await db
    .selectFrom('not_me_tokens')
    .select('user_id')
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row) return { ok: false, reason: 'invalid' };
  if (Number(result.numUpdatedRows) !== 1) return { ok: false, reason: 'expired' };
  return { ok: true, userId: row.user_id };
}
