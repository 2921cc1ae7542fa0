import type { Kysely } from 'kysely';
import type { Dialect } from '../db/database.ts';
import type { Database, NewUser, User } from '../db/schema.ts';
import { emailKey } from './email.ts';

type Executor = Kysely<Database>;

export interface PublicUser {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
}

export function toPublicUser(user: User): PublicUser {
  return { id: user.id, email: user.email, first_name: user.first_name, last_name: user.last_name };
}

export function findUserByEmailKey(db: Executor, emailKey: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('email_key', '=', emailKey).executeTakeFirst();
}

/** The account an address names, compared as lookups always are (NFKC + lower case). */
export function findUserByEmail(db: Executor, email: string): Promise<User | undefined> {
  return findUserByEmailKey(db, emailKey(email));
}

export function findUserById(db: Executor, id: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertUser(db: Executor, user: NewUser): Promise<void> {
  await db.insertInto('users').values(user).execute();
}

/**
 * PostgreSQL: takes the account's row lock until the transaction ends. Every transaction
 * that changes an account together with its tokens takes the account first (the
 * forgot-password worker, a reset, the "this wasn't me" lock), so two of them never wait
 * for each other in opposite orders. SQLite lets one writer in at a time anyway.
 */
export async function lockUser(db: Executor, dialect: Dialect, userId: string): Promise<void> {
  if (dialect !== 'postgres') return;
  await db.selectFrom('users').select('id').where('id', '=', userId).forUpdate().execute();
}

export async function updatePasswordHash(
  db: Executor,
  userId: string,
  passwordHash: string,
  now: number,
) {
  await db
    .updateTable('users')
    .set({ password_hash: passwordHash, updated_at: now })
    .where('id', '=', userId)
    .execute();
}

export async function setUserActive(db: Executor, userId: string, active: boolean, now: number) {
  await db
    .updateTable('users')
    .set({ is_active: active ? 1 : 0, updated_at: now })
    .where('id', '=', userId)
    .execute();
}

/** `lockedAt` null unlocks: a successful password reset does that. */
export async function setUserLocked(
  db: Executor,
  userId: string,
  lockedAt: number | null,
  now: number,
) {
  await db
    .updateTable('users')
    .set({ locked_at: lockedAt, updated_at: now })
    .where('id', '=', userId)
    .execute();
}

export function listUsers(db: Executor): Promise<User[]> {
  return db.selectFrom('users').selectAll().orderBy('created_at').execute();
}
