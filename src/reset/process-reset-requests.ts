import type { Kysely } from 'kysely';
import { type AuditEvent, recordAuditEvents } from '../audit/audit-log.ts';
import type { Database, User } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { queuePasswordResetMails } from './queue-reset-mail.ts';

const HOUR = 3_600_000;

type ProcessDeps = Pick<Deps, 'db' | 'dialect' | 'clock' | 'config' | 'logger' | 'metrics'>;

interface PendingRequest {
  id: number;
  email_key: string;
  created_at: number;
  client_ip: string;
  user_agent: string;
}

type Outcome = 'stale' | 'no_account' | 'inactive' | 'cooldown' | 'hourly_limit' | 'queued';

/**
 * The account-dependent half of forgot-password, run by the worker after the reply.
 * A batch of pending requests is claimed, looked up, limited and turned into tokens plus
 * their mails in one transaction: if the process dies half-way, every request of the batch
 * is simply still pending. Shared queries (the batch, its accounts, their recent tokens,
 * the final mark) cost the same for one request or fifty, so an unknown address costs
 * next to nothing. Returns how many requests it handled.
 */
export async function processResetRequests(deps: ProcessDeps, batchSize = 50): Promise<number> {
  const now = deps.clock.now();
  const handled = await deps.db.transaction().execute(async (trx) => {
    // Claimed by a write, first: on SQLite that takes the write lock at once (waiting for
    // it if another process holds it) rather than failing to upgrade a read later on.
    const claimed = await trx
      .updateTable('reset_requests')
      .set({ processed_at: now })
      .where('id', 'in', (eb) => {
        let pending = eb
          .selectFrom('reset_requests')
          .select('id')
          .where('processed_at', 'is', null)
          .orderBy('id')
          .limit(batchSize);
        // Locked until commit and skipped by other workers: each takes its own batch, in parallel.
        if (deps.dialect === 'postgres') pending = pending.forUpdate().skipLocked();
        return pending;
      })
      .returning(['id', 'email_key', 'created_at', 'client_ip', 'user_agent'])
      .execute();
    if (claimed.length === 0) return [];
    const batch = claimed.sort((a, b) => a.id - b.id);
    const outcomes = await handleBatch(trx, deps, batch, now);
    await trx
      .updateTable('reset_requests')
      // The typed address is only needed to find the account: it goes once read, so an
      // unknown requester's address does not sit in the database until the purge.
      .set({ email_key: '' })
      .where(
        'id',
        'in',
        batch.map((request) => request.id),
      )
      .execute();
    return outcomes;
  });

  const queued = handled.filter(([, outcome]) => outcome === 'queued').length;
  if (queued > 0) deps.metrics.mailsQueued.inc({ kind: 'password_reset' }, queued);
  if (deps.logger.isLevelEnabled('info')) {
    // The request id, never the address: whether it names an account stays in the audit table.
    for (const [request] of handled) {
      deps.logger.info(
        { component: 'mail-worker', resetRequestId: request.id, handled: true },
        'reset request handled',
      );
    }
  }
  return handled.length;
}

async function handleBatch(
  trx: Kysely<Database>,
  deps: ProcessDeps,
  batch: PendingRequest[],
  now: number,
): Promise<[PendingRequest, Outcome][]> {
  const { config } = deps;
  // A request older than a token's lifetime (the worker was down) is dropped, not honoured late.
  const isStale = (request: PendingRequest) =>
    request.created_at + config.resetTokenTtlSeconds * 1000 <= now;
  const users = await findAccounts(trx, deps.dialect, [
    ...new Set(batch.filter((request) => !isStale(request)).map((request) => request.email_key)),
  ]);
  const cooldownSince = now - config.resetAccountCooldownSeconds * 1000;
  const hourSince = now - HOUR;
  const recentTokens = config.rateLimitEnabled
    ? await recentTokenTimes(
        trx,
        [...users.values()].filter((user) => user.is_active === 1).map((user) => user.id),
        Math.min(cooldownSince, hourSince),
      )
    : new Map<string, number[]>();

  const outcomes: [PendingRequest, Outcome][] = [];
  const audit: AuditEvent[] = [];
  const queued: User[] = [];
  for (const request of batch) {
    const user = isStale(request) ? undefined : users.get(request.email_key);
    let outcome: Outcome;
    if (isStale(request)) outcome = 'stale';
    else if (!user) outcome = 'no_account';
    else if (user.is_active !== 1) outcome = 'inactive';
    else {
      // The same evidence the database holds, plus the tokens this batch has issued so far:
      // a second request for one account in one batch sees the first one's token.
      const times = recentTokens.get(user.id) ?? [];
      if (config.rateLimitEnabled && times.some((time) => time > cooldownSince)) {
        outcome = 'cooldown';
      } else if (
        config.rateLimitEnabled &&
        times.filter((time) => time > hourSince).length >= config.resetAccountHourlyLimit
      ) {
        outcome = 'hourly_limit';
      } else {
        queued.push(user);
        recentTokens.set(user.id, [...times, now]);
        outcome = 'queued';
      }
    }
    outcomes.push([request, outcome]);
    // Recorded here, by the worker, and only for real accounts: the request path stays uniform.
    if (user) {
      audit.push({
        type: 'reset_requested',
        userId: user.id,
        context: { clientIp: request.client_ip, userAgent: request.user_agent },
        details: { outcome },
      });
    }
  }
  // The batch's tokens and mails, one statement each: per request they were most of its cost.
  await queuePasswordResetMails(trx, queued, now, config.resetTokenTtlSeconds);
  await recordAuditEvents(trx, now, audit);
  return outcomes;
}

/** The batch's accounts by email key. */
async function findAccounts(
  trx: Kysely<Database>,
  dialect: ProcessDeps['dialect'],
  emailKeys: string[],
): Promise<Map<string, User>> {
  if (emailKeys.length === 0) return new Map();
  let lookup = trx.selectFrom('users').selectAll().where('email_key', 'in', emailKeys);
  // Serialises requests for one account across workers, so its limits hold; locked in id
  // order, so two workers whose batches share accounts never deadlock.
  if (dialect === 'postgres') lookup = lookup.orderBy('id').forUpdate();
  const users = await lookup.execute();
  return new Map(users.map((user) => [user.email_key, user]));
}

/** When each account was last sent tokens since `since`: the per-account limits' evidence. */
async function recentTokenTimes(
  trx: Kysely<Database>,
  userIds: string[],
  since: number,
): Promise<Map<string, number[]>> {
  const times = new Map<string, number[]>();
  if (userIds.length === 0) return times;
  const rows = await trx
    .selectFrom('password_reset_tokens')
    .select(['user_id', 'created_at'])
    .where('user_id', 'in', userIds)
    .where('created_at', '>', since)
    .execute();
  for (const row of rows) {
    const list = times.get(row.user_id);
    if (list) list.push(Number(row.created_at));
    else times.set(row.user_id, [Number(row.created_at)]);
  }
  return times;
}
