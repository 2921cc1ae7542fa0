import type { Deps } from '../deps.ts';
import { checkResetToken } from './reset-tokens.ts';

export type VerifyResult =
  | { ok: true; email: string }
  | { ok: false; reason: 'invalid' | 'expired' };

export async function verifyResetToken(
  deps: Pick<Deps, 'db' | 'clock'>,
  token: string,
): Promise<VerifyResult> {
  const check = await checkResetToken(deps.db, token, deps.clock.now());
  return check.ok ? { ok: true, email: check.user.email } : { ok: false, reason: check.reason };
}
