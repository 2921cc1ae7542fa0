import { recordAuditEvent } from '../audit/audit-log.ts';
import type { Deps } from '../deps.ts';
import { queuePasswordResetMail } from './queue-reset-mail.ts';
import { countResetTokensSince } from './reset-tokens.ts';

const HOUR = 3_600_000;

/**
 * The account-dependent half of forgot-password, run by the worker after the reply.
 * Each request is claimed, looked up, limited and turned into a token plus its mail in
 * one transaction: if the process dies half-way, the request is simply still pending.
 * Returns how many requests it handled.
 */
type ProcessDeps = Pick<Deps, 'db' | 'dialect' | 'clock' | 'config' | 'logger' | 'metrics'>;

export async function processResetRequests(deps: ProcessDeps, batchSize = 50): Promise<number> {
  const pending = await deps.db
    .selectFrom('reset_requests')
    .select(['id', 'email_key', 'created_at', 'client_ip', 'user_agent'])
    .where('processed_at', 'is', null)
    .orderBy('id')
    .limit(batchSize)
    .execute();
  for (const request of pending) await processResetRequest(deps, request);
  return pending.length;
}

type Outcome =
  | 'claimed_elsewhere'
  | 'stale'
  | 'no_account'
  | 'inactive'
  | 'cooldown'
  | 'hourly_limit'
  | 'queued';

async function processResetRequest(
  deps: ProcessDeps,
  request: {
    id: number;
    email_key: string;
    created_at: number;
    client_ip: string;
    user_agent: string;
  },
): Promise<void> {
  const { config } = deps;
  const now = deps.clock.now();
  const context = { clientIp: request.client_ip, userAgent: request.user_agent };
  const outcome = await deps.db.transaction().execute(async (trx): Promise<Outcome> => {
    const claimed = await trx
      .updateTable('reset_requests')
      // The typed address is only needed to find the account: it goes once read, so an
      // unknown requester's address does not sit in the database until the purge.
      .set({ processed_at: now, email_key: '' })
      .where('id', '=', request.id)
      .where('processed_at', 'is', null)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return 'claimed_elsewhere';
    // A request older than a token's lifetime (the worker was down) is dropped, not honoured late.
    if (request.created_at + config.resetTokenTtlSeconds * 1000 <= now) return 'stale';

    let lookup = trx.selectFrom('users').selectAll().where('email_key', '=', request.email_key);
    // Serialises requests for one account across workers, so its limits hold.
    if (deps.dialect === 'postgres') lookup = lookup.forUpdate();
    const user = await lookup.executeTakeFirst();
    if (!user) return 'no_account';
    // Recorded here, by the worker, and only for real accounts: the request path stays uniform.
    const audit = (result: Outcome) =>
      recordAuditEvent(trx, now, {
        type: 'reset_requested',
        userId: user.id,
        context,
        details: { outcome: result },
      });
    if (user.is_active !== 1) {
      await audit('inactive');
      return 'inactive';
    }

    if (config.rateLimitEnabled) {
      const lastMinute = await countResetTokensSince(
        trx,
        user.id,
        now - config.resetAccountCooldownSeconds * 1000,
      );
      if (lastMinute > 0) {
        await audit('cooldown');
        return 'cooldown';
      }
      const lastHour = await countResetTokensSince(trx, user.id, now - HOUR);
      if (lastHour >= config.resetAccountHourlyLimit) {
        await audit('hourly_limit');
        return 'hourly_limit';
      }
    }

    await queuePasswordResetMail(trx, user, now, config.resetTokenTtlSeconds);
    await audit('queued');
    return 'queued';
  });
  if (outcome === 'queued') deps.metrics.mailsQueued.inc({ kind: 'password_reset' });
  // The request id, never the address: whether it names an account stays in the audit table.
  deps.logger.info(
    {
      component: 'mail-worker',
      resetRequestId: request.id,
      handled: outcome !== 'claimed_elsewhere',
    },
    'reset request handled',
  );
}
