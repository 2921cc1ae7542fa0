import { displayName } from '../accounts/display-name.ts';
import { passwordPolicyErrors } from '../accounts/password-policy.ts';
import { invalidateUserSessions } from '../accounts/sessions.ts';
import { lockUser, setUserLocked, updatePasswordHash } from '../accounts/users.ts';
import { type RequestContext, recordAuditEvent } from '../audit/audit-log.ts';
import type { Deps } from '../deps.ts';
import { addFieldError, type FieldErrors, hasFieldErrors } from '../field-errors.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { FIELD_MESSAGES } from '../messages.ts';
import { createNotMeToken } from './not-me-tokens.ts';
import {
  checkResetToken,
  consumeResetToken,
  type ResetTokenCheck,
  revokeUserResetTokens,
} from './reset-tokens.ts';

/** A field is undefined when the HTTP layer has already reported it as missing or malformed. */
export interface ConfirmInput {
  token: string | undefined;
  newPassword: string | undefined;
  confirmPassword: string | undefined;
}

export type ConfirmResult = { ok: true; email: string } | { ok: false; errors: FieldErrors };

const CHANGED_MAIL_LIFETIME_MS = 24 * 3600 * 1000;

/**
 * Checks everything first and reports every failing field at once; a request that fails
 * validation leaves the token as it was, so the user can fix the password and resubmit.
 * Only then is the token consumed, in one transaction with its consequences: new hash,
 * the account's other tokens revoked, every session revoked, the notice mail queued.
 */
export async function confirmPasswordReset(
  deps: Pick<Deps, 'db' | 'dialect' | 'clock' | 'hasher' | 'config' | 'notifyMailWork' | 'metrics'>,
  input: ConfirmInput,
  context: RequestContext | null = null,
): Promise<ConfirmResult> {
  const now = deps.clock.now();
  const errors: FieldErrors = {};

  let check: ResetTokenCheck | undefined;
  if (input.token !== undefined) {
    check = await checkResetToken(deps.db, input.token, now);
    if (!check.ok) {
      const message =
        check.reason === 'invalid' ? FIELD_MESSAGES.invalidToken : FIELD_MESSAGES.expiredToken;
      addFieldError(errors, 'token', message);
    }
  }
  if (input.newPassword !== undefined) {
    const owner = check?.ok ? check.user : {};
    const policy = { minLength: deps.config.passwordMinLength };
    for (const message of await passwordPolicyErrors(input.newPassword, owner, policy)) {
      addFieldError(errors, 'new_password', message);
    }
    if (
      input.confirmPassword !== undefined &&
      input.newPassword.normalize('NFKC') !== input.confirmPassword.normalize('NFKC')
    ) {
      addFieldError(errors, 'confirm_password', FIELD_MESSAGES.passwordsDoNotMatch);
    }
  }
  if (
    hasFieldErrors(errors) ||
    !check?.ok ||
    input.newPassword === undefined ||
    input.confirmPassword === undefined
  ) {
    return { ok: false, errors };
  }

  const { user, tokenHash } = check;
  const passwordHash = await deps.hasher.hash(input.newPassword);
  const committed = await deps.db.transaction().execute(async (trx) => {
    await lockUser(trx, deps.dialect, user.id);
    if (!(await consumeResetToken(trx, tokenHash, now))) return false;
    await updatePasswordHash(trx, user.id, passwordHash, now);
    // The owner proved control of the mailbox: a "this wasn't me" lock ends here.
    if (user.locked_at !== null) await setUserLocked(trx, user.id, null, now);
    await revokeUserResetTokens(trx, user.id, now);
    const revoked = await invalidateUserSessions(trx, user.id);
    const notMeToken = await createNotMeToken(trx, user.id, now);
    await recordAuditEvent(trx, now, { type: 'password_changed', userId: user.id, context });
    await recordAuditEvent(trx, now, {
      type: 'sessions_revoked',
      userId: user.id,
      context,
      details: { reason: 'password_reset', count: revoked },
    });
    await enqueueMail(trx, {
      kind: 'password_changed',
      recipient: user.email,
      payload: { name: displayName(user), changedAt: now, notMeToken },
      now,
      expiresAt: now + CHANGED_MAIL_LIFETIME_MS,
    });
    return true;
  });
  if (!committed) return { ok: false, errors: { token: [FIELD_MESSAGES.expiredToken] } };
  deps.metrics.mailsQueued.inc({ kind: 'password_changed' });
  deps.notifyMailWork();
  return { ok: true, email: user.email };
}
