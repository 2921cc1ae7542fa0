import type { Selectable } from 'kysely';
import { emailKey } from '../accounts/email.ts';
import { batchPerTurn } from '../db/batch-per-turn.ts';
import { compiledByCount, rowsOf } from '../db/compiled-by-count.ts';
import type { ResetRequestsTable } from '../db/schema.ts';
import type { Deps } from '../deps.ts';

export interface ResetRequestContext {
  clientIp: string;
  userAgent: string;
}

/** Every column but the id: each row binds all five. */
type NewResetRequest = Omit<Selectable<ResetRequestsTable>, 'id'>;

/** Well inside SQLite's 32766 and PostgreSQL's 65535 bound parameters (5 a row). */
const MAX_ROWS_PER_INSERT = 500;

/** Compiled once per number of rows. */
const insertResetRequests = compiledByCount(
  (db, rows: readonly NewResetRequest[]) => db.insertInto('reset_requests').values([...rows]),
  rowsOf<NewResetRequest>(['email_key', 'client_ip', 'user_agent', 'created_at', 'processed_at']),
);

/**
 * Requests that arrive together are written together, as one multi-row insert (a group
 * commit). Each caller still answers only once its row is committed, and a failed
 * statement fails every request in it. On SQLite every statement is its own commit.
 */
const insertResetRequest = batchPerTurn(async (db, rows: readonly NewResetRequest[]) => {
  await insertResetRequests(db, rows);
  return rows.map(() => undefined);
}, MAX_ROWS_PER_INSERT);

/**
 * The whole of forgot-password on the request path: one insert, the same for every
 * well-formed address. Whether an account exists, is active or is over its limit is
 * decided later by the worker, so neither the body nor the time of the answer can tell.
 */
export async function requestPasswordReset(
  deps: Pick<Deps, 'db' | 'clock'>,
  email: string,
  context: ResetRequestContext,
): Promise<void> {
  await insertResetRequest(deps.db, {
    email_key: emailKey(email),
    client_ip: context.clientIp.slice(0, 64),
    user_agent: context.userAgent.slice(0, 512),
    created_at: deps.clock.now(),
    processed_at: null,
  });
}
