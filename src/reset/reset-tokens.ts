import type { Kysely } from 'kysely';
import { batchPerTurn } from '../db/batch-per-turn.ts';
import { compiledByCount, stringKeys } from '../db/compiled-by-count.ts';
import type { Database, User } from '../db/schema.ts';
import { createSecretToken, hashSecretToken } from '../secret-token.ts';

type Executor = Kysely<Database>;

/** Well inside SQLite's 32766 and PostgreSQL's 65535 bound parameters. */
const MAX_TOKENS_PER_LOOKUP = 500;

/**
 * Issues a token and revokes the account's older ones in the same transaction the
 * caller runs: only the newest link works.
 */
export async function createPasswordResetToken(
  db: Executor,
  userId: string,
  now: number,
  ttlSeconds: number,
): Promise<{ token: string; expiresAt: number }> {
  const [issued] = await createPasswordResetTokens(db, [userId], now, ttlSeconds);
  if (!issued) throw new Error('no token was issued');
  return issued;
}

/**
 * One token per entry of `userIds`, in order, with one revocation and one insert however
 * many there are. Only an account's newest link works: its older tokens are revoked, and an
 * account listed twice gets two tokens of which only the later one is live.
 */
export async function createPasswordResetTokens(
  db: Executor,
  userIds: readonly string[],
  now: number,
  ttlSeconds: number,
): Promise<{ token: string; expiresAt: number }[]> {
  if (userIds.length === 0) return [];
  await revokeUserResetTokens(db, [...new Set(userIds)], now);
  const expiresAt = now + ttlSeconds * 1000;
  const issued = userIds.map((userId, index) => ({
    userId,
    token: createSecretToken(),
    superseded: userIds.indexOf(userId, index + 1) !== -1,
  }));
  await db
    .insertInto('password_reset_tokens')
    .values(
      issued.map(({ userId, token, superseded }) => ({
        token_hash: hashSecretToken(token),
        user_id: userId,
        created_at: now,
        expires_at: expiresAt,
        used_at: null,
        revoked_at: superseded ? now : null,
      })),
    )
    .execute();
  return issued.map(({ token }) => ({ token, expiresAt }));
}

/** Revokes every live token of the account (or accounts). */
export async function revokeUserResetTokens(
  db: Executor,
  userId: string | readonly string[],
  now: number,
): Promise<void> {
  const userIds = typeof userId === 'string' ? [userId] : userId;
  if (userIds.length === 0) return;
  await db
    .updateTable('password_reset_tokens')
    .set({ revoked_at: now })
    .where('user_id', 'in', userIds)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .execute();
}

/**
 * What verify and reset read of the token's account. Never its password hash: a token
 * check has no use for it, and each row's fewer columns are less to build per request.
 */
const TOKEN_OWNER_COLUMNS = [
  'users.id',
  'users.email',
  'users.first_name',
  'users.last_name',
  'users.is_active',
  'users.locked_at',
] as const;
type UsersColumn<Reference> = Reference extends `users.${infer Column}` ? Column : never;
export type TokenOwner = Pick<
  User,
  Extract<UsersColumn<(typeof TOKEN_OWNER_COLUMNS)[number]>, keyof User>
>;

export type ResetTokenCheck =
  | { ok: true; user: TokenOwner; tokenHash: string }
  | { ok: false; reason: 'invalid' | 'expired' };

const selectTokensWithUsers = compiledByCount(
  (db, tokenHashes: readonly string[]) =>
    db
      .selectFrom('password_reset_tokens')
      .innerJoin('users', 'users.id', 'password_reset_tokens.user_id')
      .select([
        ...TOKEN_OWNER_COLUMNS,
        'password_reset_tokens.token_hash as token_hash',
        'password_reset_tokens.expires_at as token_expires_at',
        'password_reset_tokens.used_at as token_used_at',
        'password_reset_tokens.revoked_at as token_revoked_at',
      ])
      .where('password_reset_tokens.token_hash', 'in', tokenHashes),
  stringKeys,
);

/** Lookups from one turn of the event loop share one query; each caller gets its token's row. */
const selectTokenWithUser = batchPerTurn(async (db, tokenHashes: readonly string[]) => {
  const rows = await selectTokensWithUsers(db, tokenHashes);
  const rowByHash = new Map(rows.map((row) => [row.token_hash, row]));
  return tokenHashes.map((tokenHash) => rowByHash.get(tokenHash));
}, MAX_TOKENS_PER_LOOKUP);

/**
 * Looks a token up without using it: verifying, or a mail scanner opening the link, never
 * burns it. Outside a transaction only: lookups of one turn are batched (batchPerTurn),
 * and a transaction passed here is refused.
 */
export async function checkResetToken(
  db: Executor,
  token: string,
  now: number,
): Promise<ResetTokenCheck> {
  const tokenHash = hashSecretToken(token);
  const row = await selectTokenWithUser(db, tokenHash);
  if (!row) return { ok: false, reason: 'invalid' };
  const { token_hash, token_expires_at, token_used_at, token_revoked_at, ...user } = row;
  if (
    token_used_at !== null ||
    token_revoked_at !== null ||
    token_expires_at <= now ||
    user.is_active !== 1
  ) {
    return { ok: false, reason: 'expired' };
  }
  return { ok: true, user, tokenHash };
}

/**
 * Marks the token used if, and only if, it is still usable. The condition is in the
 * UPDATE itself, so of N concurrent resets with one token exactly one sees a row change.
 */
export async function consumeResetToken(
  db: Executor,
  tokenHash: string,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('password_reset_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
