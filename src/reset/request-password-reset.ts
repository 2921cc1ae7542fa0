import { emailKey } from '../accounts/email.ts';
import { prepareQuery } from '../db/prepared-query.ts';
import type { Deps } from '../deps.ts';

export interface ResetRequestContext {
  clientIp: string;
  userAgent: string;
}

const insertResetRequest = prepareQuery(
  (db, slots: { emailKey: string; clientIp: string; userAgent: string; createdAt: number }) =>
    db.insertInto('reset_requests').values({
      email_key: slots.emailKey,
      client_ip: slots.clientIp,
      user_agent: slots.userAgent,
      created_at: slots.createdAt,
      processed_at: null,
    }),
);

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
  await insertResetRequest.execute(deps.db, {
    emailKey: emailKey(email),
    clientIp: context.clientIp.slice(0, 64),
    userAgent: context.userAgent.slice(0, 512),
    createdAt: deps.clock.now(),
  });
}
