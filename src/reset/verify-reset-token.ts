import { type RequestContext, recordStandaloneAuditEvent } from '../audit/audit-log.ts';
import type { Deps } from '../deps.ts';
import { checkResetToken } from './reset-tokens.ts';

export type VerifyResult =
  | { ok: true; email: string }
  | { ok: false; reason: 'invalid' | 'expired' };

/** Checks a link without using it up; a failed check is a security event for the audit trail. */
export async function verifyResetToken(
  deps: Pick<Deps, 'db' | 'clock'>,
  token: string,
  context: RequestContext,
): Promise<VerifyResult> {
  const now = deps.clock.now();
  const check = await checkResetToken(deps.db, token, now);
  if (check.ok) return { ok: true, email: check.user.email };
  await recordStandaloneAuditEvent(deps.db, now, {
    type: 'verify_failed',
    context,
    details: { reason: check.reason },
  });
  return { ok: false, reason: check.reason };
}
