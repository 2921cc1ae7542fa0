import { displayName } from '../accounts/display-name.ts';
import { findUserByEmail } from '../accounts/users.ts';
import type { Deps } from '../deps.ts';
import type { MailKind, MailPayloads } from '../mail/outbox.ts';
import { createNotMeToken } from '../reset/not-me-tokens.ts';
import { createPasswordResetToken } from '../reset/reset-tokens.ts';

const CHANGED_MAIL_LIFETIME_MS = 24 * 3600 * 1000;

export interface RetryResult {
  retried: number;
  /** Rows whose account is gone or inactive: a mail to it would help no one. */
  skipped: number;
}

/**
 * Puts failed mails back in the queue. A failed mail lost its token when it failed (tokens
 * never outlive their mail), so each retry carries a fresh one: a new reset link (which
 * revokes the old), a new "this wasn't me" link.
 */
export async function retryFailedMail(
  deps: Pick<Deps, 'db' | 'clock' | 'config'>,
): Promise<RetryResult> {
  const now = deps.clock.now();
  const failed = await deps.db
    .selectFrom('outbox')
    .select(['id', 'kind', 'recipient', 'payload'])
    .where('status', '=', 'failed')
    .orderBy('id')
    .execute();
  const result: RetryResult = { retried: 0, skipped: 0 };
  for (const row of failed) {
    const retried = await deps.db.transaction().execute(async (trx) => {
      const user = await findUserByEmail(trx, row.recipient);
      if (user?.is_active !== 1) return false;
      const kind = row.kind as MailKind;
      let payload: MailPayloads[MailKind];
      let expiresAt: number;
      if (kind === 'password_reset') {
        const reset = await createPasswordResetToken(
          trx,
          user.id,
          now,
          deps.config.resetTokenTtlSeconds,
        );
        payload = { token: reset.token, name: displayName(user), expiresAt: reset.expiresAt };
        expiresAt = reset.expiresAt;
      } else if (kind === 'password_changed') {
        const previous = JSON.parse(row.payload) as Partial<MailPayloads['password_changed']>;
        payload = {
          name: displayName(user),
          changedAt: previous.changedAt ?? now,
          notMeToken: await createNotMeToken(trx, user.id, now),
        };
        expiresAt = now + CHANGED_MAIL_LIFETIME_MS;
      } else {
        return false;
      }
      await trx
        .updateTable('outbox')
        .set({
          status: 'pending',
          payload: JSON.stringify(payload),
          attempts: 0,
          next_attempt_at: now,
          locked_until: null,
          expires_at: expiresAt,
          last_error: null,
        })
        .where('id', '=', row.id)
        .where('status', '=', 'failed')
        .execute();
      return true;
    });
    if (retried) result.retried += 1;
    else result.skipped += 1;
  }
  return result;
}
