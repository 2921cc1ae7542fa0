import { invalidateUserSessions } from '../accounts/sessions.ts';
import { findUserById, setUserLocked } from '../accounts/users.ts';
import { type RequestContext, recordAuditEvent } from '../audit/audit-log.ts';
import type { Deps } from '../deps.ts';
import { consumeNotMeToken } from './not-me-tokens.ts';
import { queuePasswordResetMail } from './queue-reset-mail.ts';

export type NotMeResult = { ok: true } | { ok: false; reason: 'invalid' | 'expired' };

/**
 * "This wasn't me", from the password-changed mail. Whoever changed the password may be
 * signed in right now, so in one transaction: every session goes, sign-in is blocked until
 * the owner resets the password, and a fresh reset link is queued to the account's address
 * (bypassing the per-account cooldown: the owner needs it now). Only a POST with the token
 * does this; opening the link does not.
 */
export async function useNotMeLink(
  deps: Pick<Deps, 'db' | 'clock' | 'config' | 'notifyMailWork' | 'metrics'>,
  token: string,
  context: RequestContext,
): Promise<NotMeResult> {
  const now = deps.clock.now();
  const result = await deps.db.transaction().execute(async (trx): Promise<NotMeResult> => {
    const use = await consumeNotMeToken(trx, token, now);
    if (!use.ok) return use;
    const user = await findUserById(trx, use.userId);
    if (!user) return { ok: false, reason: 'invalid' };
    await setUserLocked(trx, user.id, now, now);
    const revoked = await invalidateUserSessions(trx, user.id);
    await queuePasswordResetMail(trx, user, now, deps.config.resetTokenTtlSeconds);
    await recordAuditEvent(trx, now, { type: 'kill_switch_used', userId: user.id, context });
    await recordAuditEvent(trx, now, {
      type: 'sessions_revoked',
      userId: user.id,
      context,
      details: { reason: 'kill_switch', count: revoked },
    });
    return { ok: true };
  });
  if (result.ok) {
    deps.metrics.killSwitchUsed.inc();
    deps.metrics.mailsQueued.inc({ kind: 'password_reset' });
    deps.notifyMailWork();
  }
  return result;
}
