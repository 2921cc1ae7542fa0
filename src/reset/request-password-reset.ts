import type { Insertable, Kysely } from 'kysely';
import { emailKey } from '../accounts/email.ts';
import type { Database, ResetRequestsTable } from '../db/schema.ts';
import type { Deps } from '../deps.ts';

export interface ResetRequestContext {
  clientIp: string;
  userAgent: string;
}

type NewResetRequest = Insertable<ResetRequestsTable>;

/** Well inside SQLite's 32766 and PostgreSQL's 65535 bound parameters (5 a row). */
const MAX_ROWS_PER_INSERT = 500;

interface Waiting {
  row: NewResetRequest;
  settle: (error?: unknown) => void;
}

/**
 * Requests that arrive together are written together: the first one schedules an insert
 * for the end of this turn of the event loop, and every request parsed until then joins it
 * as one more row of the same statement (a group commit). Each caller still answers only
 * once its row is committed, and a failed statement fails every request in it. On SQLite
 * every statement is its own commit, which profiling put at about a quarter of the CPU of
 * a forgot-password request under load.
 */
function createGroupedInsert(db: Kysely<Database>) {
  let waiting: Waiting[] = [];
  async function flush() {
    const group = waiting;
    waiting = [];
    for (let start = 0; start < group.length; start += MAX_ROWS_PER_INSERT) {
      const part = group.slice(start, start + MAX_ROWS_PER_INSERT);
      try {
        await db
          .insertInto('reset_requests')
          .values(part.map((entry) => entry.row))
          .execute();
        for (const entry of part) entry.settle();
      } catch (error) {
        for (const entry of part) entry.settle(error);
      }
    }
  }
  return (row: NewResetRequest) =>
    new Promise<void>((resolve, reject) => {
      if (waiting.length === 0) setImmediate(flush);
      waiting.push({ row, settle: (error) => (error === undefined ? resolve() : reject(error)) });
    });
}

const groupedInserts = new WeakMap<Kysely<Database>, ReturnType<typeof createGroupedInsert>>();

function insertResetRequest(db: Kysely<Database>, row: NewResetRequest): Promise<void> {
  let insert = groupedInserts.get(db);
  if (!insert) {
    insert = createGroupedInsert(db);
    groupedInserts.set(db, insert);
  }
  return insert(row);
}

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
