import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/**
 * Table types. Times are integer milliseconds since the epoch (the same on SQLite and
 * PostgreSQL, where `pg` is told to read int8 as a number); booleans are 0/1 integers.
 */
export interface UsersTable {
  id: string;
  email: string;
  /** NFKC + lower-cased email: the one key lookups use (CVE-2019-19844). */
  email_key: string;
  password_hash: string;
  first_name: string;
  last_name: string;
  is_active: number;
  created_at: number;
  updated_at: number;
  /** Set by the "this wasn't me" link; a successful password reset clears it. */
  locked_at: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface SessionsTable {
  /** SHA-256 of the bearer token; the token itself is only in the client's hands. */
  token_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
}

export interface PasswordResetTokensTable {
  /** SHA-256 of the token sent in the email. */
  token_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  revoked_at: number | null;
}

/** Forgot-password requests, recorded before the reply and handled by the worker. */
export interface ResetRequestsTable {
  id: Generated<number>;
  email_key: string;
  client_ip: string;
  user_agent: string;
  created_at: number;
  processed_at: number | null;
}

export type OutboxStatus = 'pending' | 'sent' | 'failed';

export interface OutboxTable {
  id: Generated<number>;
  kind: string;
  recipient: string;
  /** JSON; a reset mail's payload holds its token only until the mail is sent. */
  payload: string;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: number;
  locked_until: number | null;
  expires_at: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}

/** Per-IP request counters for the HTTP edge, shared by every API process. */
export interface RateLimitsTable {
  key: string;
  count: number;
  expires_at: number;
}

/** Single-use "this wasn't me" links from the password-changed mail; SHA-256 stored. */
export interface NotMeTokensTable {
  token_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** Security events. Never a token, a password, or an address an unknown requester typed. */
export interface AuditEventsTable {
  id: Generated<number>;
  created_at: number;
  event_type: string;
  user_id: string | null;
  client_ip: string | null;
  user_agent: string | null;
  /** JSON object or null. */
  details: string | null;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  password_reset_tokens: PasswordResetTokensTable;
  reset_requests: ResetRequestsTable;
  outbox: OutboxTable;
  rate_limits: RateLimitsTable;
  not_me_tokens: NotMeTokensTable;
  audit_events: AuditEventsTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type OutboxMessage = Selectable<OutboxTable>;
