import { type RequestContext, recordStandaloneAuditEvent } from '../audit/audit-log.ts';
import type { Deps } from '../deps.ts';
import type { FieldErrors } from '../field-errors.ts';
import { FIELD_MESSAGES } from '../messages.ts';
import { createSession } from './sessions.ts';
import { findUserByEmail, type PublicUser, toPublicUser } from './users.ts';

export type LoginResult =
  | { ok: true; token: string; user: PublicUser }
  | { ok: false; errors: FieldErrors };

let decoyHash: Promise<string> | undefined;

/**
 * An unknown address still costs one argon2id verification (against a decoy hash), so the
 * time of a failed login does not say whether the account exists.
 */
export async function logIn(
  deps: Pick<Deps, 'db' | 'clock' | 'hasher' | 'config'>,
  input: { email: string; password: string },
  context: RequestContext | null = null,
): Promise<LoginResult> {
  const user = await findUserByEmail(deps.db, input.email);
  decoyHash ??= deps.hasher.hash('decoy password never matches');
  const hash = user?.password_hash ?? (await decoyHash);
  const passwordMatches = await deps.hasher.verify(hash, input.password);
  // A locked account answers like a wrong password: the lock is for its owner to lift.
  if (!user || !passwordMatches || user.is_active !== 1 || user.locked_at !== null) {
    // The typed address is not recorded: it may be anyone's.
    await recordStandaloneAuditEvent(deps.db, deps.clock.now(), {
      type: 'login_failed',
      userId: user?.id ?? null,
      context,
      details: { reason: loginFailureReason(user, passwordMatches) },
    });
    return { ok: false, errors: { non_field_errors: [FIELD_MESSAGES.invalidCredentials] } };
  }
  const token = await createSession(
    deps.db,
    user.id,
    deps.clock.now(),
    deps.config.sessionTtlSeconds,
  );
  return { ok: true, token, user: toPublicUser(user) };
}

function loginFailureReason(
  user: { is_active: number; locked_at: number | null } | undefined,
  passwordMatches: boolean,
): string {
  if (!user) return 'unknown_account';
  if (!passwordMatches) return 'wrong_password';
  return user.is_active !== 1 ? 'inactive' : 'locked';
}
