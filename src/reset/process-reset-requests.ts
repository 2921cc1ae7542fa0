import { displayName } from '../accounts/display-name.ts';
import type { Deps } from '../deps.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { countResetTokensSince, createPasswordResetToken } from './reset-tokens.ts';

const HOUR = 3_600_000;

/**
 * The account-dependent half of forgot-password, run by the worker after the reply.
 * Each request is claimed, looked up, limited and turned into a token plus its mail in
 * one transaction: if the process dies half-way, the request is simply still pending.
 * Returns how many requests it handled.
 */
export async function processResetRequests(
  deps: Pick<Deps, 'db' | 'dialect' | 'clock' | 'config'>,
  batchSize = 50,
): Promise<number> {
  const pending = await deps.db
    .selectFrom('reset_requests')
    .select(['id', 'email_key', 'created_at'])
    .where('processed_at', 'is', null)
    .orderBy('id')
    .limit(batchSize)
    .execute();
  for (const request of pending) await processResetRequest(deps, request);
  return pending.length;
}

async function processResetRequest(
  deps: Pick<Deps, 'db' | 'dialect' | 'clock' | 'config'>,
  request: { id: number; email_key: string; created_at: number },
): Promise<void> {
  const { config } = deps;
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    const claimed = await trx
      .updateTable('reset_requests')
      .set({ processed_at: now })
      .where('id', '=', request.id)
      .where('processed_at', 'is', null)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return;
    // A request older than a token's lifetime (the worker was down) is dropped, not honoured late.
    if (request.created_at + config.resetTokenTtlSeconds * 1000 <= now) return;

    let lookup = trx.selectFrom('users').selectAll().where('email_key', '=', request.email_key);
    // Serialises requests for one account across workers, so its limits hold.
    if (deps.dialect === 'postgres') lookup = lookup.forUpdate();
    const user = await lookup.executeTakeFirst();
    if (user?.is_active !== 1) return;

    if (config.rateLimitEnabled) {
      const lastMinute = await countResetTokensSince(
        trx,
        user.id,
        now - config.resetAccountCooldownSeconds * 1000,
      );
      if (lastMinute > 0) return;
      const lastHour = await countResetTokensSince(trx, user.id, now - HOUR);
      if (lastHour >= config.resetAccountHourlyLimit) return;
    }

    const { token, expiresAt } = await createPasswordResetToken(
      trx,
      user.id,
      now,
      config.resetTokenTtlSeconds,
    );
    await enqueueMail(trx, {
      kind: 'password_reset',
      recipient: user.email,
      payload: { token, name: displayName(user), expiresAt },
      now,
      expiresAt,
    });
  });
}
