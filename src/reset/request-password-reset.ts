import { emailKey } from '../accounts/email.ts';
import type { Deps } from '../deps.ts';

export interface ResetRequestContext {
  clientIp: string;
  userAgent: string;
}

/**
 * The whole of forgot-password on the request path: one insert, the same for every
 * well-formed address. Whether an account exists, is active or is over its limit is
 * decided later by the worker, so neither the body nor the time of the answer can tell.
 */
export async function requestPasswordReset(
  deps: Pick<Deps, 'db' | 'clock'>,
  email: string,
  context: ResetRequestContext,
): Promise<void> {
  await deps.db
    .insertInto('reset_requests')
    .values({
      email_key: emailKey(email),
      client_ip: context.clientIp.slice(0, 64),
      user_agent: context.userAgent.slice(0, 512),
      created_at: deps.clock.now(),
      processed_at: null,
    })
    .execute();
}
