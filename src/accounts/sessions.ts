import type { Kysely } from 'kysely';
import type { Database, User } from '../db/schema.ts';
import { createSecretToken, hashSecretToken } from '../secret-token.ts';

type Executor = Kysely<Database>;

/** Opaque bearer tokens; the table holds their SHA-256 only. */
export async function createSession(db: Executor, userId: string, now: number, ttlSeconds: number) {
  const token = createSecretToken();
  await db
    .insertInto('sessions')
    .values({
      token_hash: hashSecretToken(token),
      user_id: userId,
      created_at: now,
      expires_at: now + ttlSeconds * 1000,
    })
    .execute();
  return token;
}

export type SessionValidation = { ok: true; user: User; tokenHash: string } | { ok: false };

export async function validateSessionToken(
  db: Executor,
  token: string,
  now: number,
): Promise<SessionValidation> {
  const tokenHash = hashSecretToken(token);
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select('sessions.expires_at as session_expires_at')
    .where('sessions.token_hash', '=', tokenHash)
    .executeTakeFirst();
  // A locked account ("this wasn't me") has no sessions left, and gets none back until reset.
  if (!row || row.session_expires_at <= now || row.is_active !== 1 || row.locked_at !== null)
    return { ok: false };
  const { session_expires_at: _expiresAt, ...user } = row;
  return { ok: true, user, tokenHash };
}

export async function invalidateSession(db: Executor, tokenHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
}

export async function invalidateUserSessions(db: Executor, userId: string): Promise<number> {
  const result = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}
