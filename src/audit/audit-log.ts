import type { Kysely } from 'kysely';
import { batchPerTurn } from '../db/batch-per-turn.ts';
import { compiledByCount, rowsOf } from '../db/compiled-by-count.ts';
import type { Database } from '../db/schema.ts';

type Executor = Kysely<Database>;

export type AuditEventType =
  | 'reset_requested'
  | 'email_sent'
  | 'verify_failed'
  | 'password_changed'
  | 'sessions_revoked'
  | 'login_failed'
  | 'kill_switch_used'
  | 'reset_link_issued'
  | 'account_deactivated'
  | 'account_activated';

/** Where a request came from, as the HTTP layer saw it. */
export interface RequestContext {
  clientIp: string;
  userAgent: string;
}

export type AuditDetails = Record<string, string | number | boolean | null>;

export interface AuditEvent {
  type: AuditEventType;
  userId?: string | null;
  context?: RequestContext | null;
  details?: AuditDetails;
}

/**
 * One row per security event. Callers pass ids, reasons and counts only: never a token, a
 * password, or an address typed by someone who may not own it (the account id says whose).
 */
export async function recordAuditEvent(db: Executor, now: number, event: AuditEvent) {
  await db.insertInto('audit_events').values(auditRow(now, event)).execute();
}

/** Compiled once per number of rows. */
const insertAuditRows = compiledByCount(
  (db, rows: readonly AuditRow[]) => db.insertInto('audit_events').values([...rows]),
  rowsOf<AuditRow>(['created_at', 'event_type', 'user_id', 'client_ip', 'user_agent', 'details']),
);

/** Events recorded outside a transaction in one turn of the event loop: one insert. */
const insertPerTurn = batchPerTurn(async (db, rows: readonly AuditRow[]) => {
  await insertAuditRows(db, rows);
  return rows.map(() => undefined);
}, 500);

/**
 * An event that is the only write of its request (a failed verify or login): it joins the
 * other such events of the same turn of the event loop in one insert, so a flood of bad
 * tokens or passwords costs one statement per turn, not one per request. Not for use inside
 * a transaction, whose rows must commit with it.
 */
export function recordStandaloneAuditEvent(
  db: Executor,
  now: number,
  event: AuditEvent,
): Promise<void> {
  return insertPerTurn(db, auditRow(now, event));
}

/**
 * One event for the account whose lookup key is `emailKey` (null when there is none),
 * found by the insert itself rather than by a query before it.
 */
export async function recordAuditEventForEmailKey(
  db: Executor,
  now: number,
  emailKey: string,
  event: Omit<AuditEvent, 'userId'>,
) {
  await db
    .insertInto('audit_events')
    .values({
      ...auditRow(now, event),
      user_id: (eb) =>
        eb.selectFrom('users').select('users.id').where('users.email_key', '=', emailKey),
    })
    .execute();
}

/** Several events in one statement, in the order given. */
export async function recordAuditEvents(db: Executor, now: number, events: AuditEvent[]) {
  if (events.length === 0) return;
  await db
    .insertInto('audit_events')
    .values(events.map((event) => auditRow(now, event)))
    .execute();
}

type AuditRow = ReturnType<typeof auditRow>;

function auditRow(now: number, event: AuditEvent) {
  return {
    created_at: now,
    event_type: event.type,
    user_id: event.userId ?? null,
    client_ip: event.context?.clientIp.slice(0, 64) ?? null,
    user_agent: event.context?.userAgent.slice(0, 512) ?? null,
    details: event.details ? JSON.stringify(event.details) : null,
  };
}

export function listAuditEvents(db: Executor, limit = 100) {
  return db.selectFrom('audit_events').selectAll().orderBy('id', 'desc').limit(limit).execute();
}
