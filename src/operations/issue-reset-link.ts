import { findUserByEmail } from '../accounts/users.ts';
import { recordAuditEvent } from '../audit/audit-log.ts';
import type { Deps } from '../deps.ts';
import { resetLink } from '../mail/compose.ts';
import { createPasswordResetToken } from '../reset/reset-tokens.ts';

export type IssueResetLinkResult =
  | { ok: true; link: string; expiresAt: number }
  | { ok: false; reason: 'not_found' | 'inactive' };

/**
 * For a support desk that has checked who is asking: a reset link handed over directly,
 * not mailed. Like any new link it revokes the account's older ones; no cooldown applies.
 */
export async function issueResetLink(
  deps: Pick<Deps, 'db' | 'clock' | 'config'>,
  email: string,
): Promise<IssueResetLinkResult> {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx): Promise<IssueResetLinkResult> => {
    const user = await findUserByEmail(trx, email);
    if (!user) return { ok: false, reason: 'not_found' };
    if (user.is_active !== 1) return { ok: false, reason: 'inactive' };
    const { token, expiresAt } = await createPasswordResetToken(
      trx,
      user.id,
      now,
      deps.config.resetTokenTtlSeconds,
    );
    await recordAuditEvent(trx, now, {
      type: 'reset_link_issued',
      userId: user.id,
      details: { by: 'cli' },
    });
    return { ok: true, link: resetLink(deps.config, token), expiresAt };
  });
}
