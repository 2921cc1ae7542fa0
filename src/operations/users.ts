import { invalidateUserSessions } from '../accounts/sessions.ts';
import { findUserByEmail, listUsers, setUserActive } from '../accounts/users.ts';
import { recordAuditEvent } from '../audit/audit-log.ts';
import type { Deps } from '../deps.ts';

export interface UserRow {
  id: string;
  email: string;
  name: string;
  state: 'active' | 'inactive' | 'locked';
  createdAt: string;
}

export async function listUserRows(deps: Pick<Deps, 'db'>): Promise<UserRow[]> {
  return (await listUsers(deps.db)).map((user) => ({
    id: user.id,
    email: user.email,
    name: `${user.first_name} ${user.last_name}`.trim(),
    state: user.is_active !== 1 ? 'inactive' : user.locked_at !== null ? 'locked' : 'active',
    createdAt: new Date(user.created_at).toISOString(),
  }));
}

export type SetActiveResult = { ok: true; changed: boolean } | { ok: false; reason: 'not_found' };

/** Deactivating signs the account out everywhere; its reset links stop working too. */
export async function setAccountActive(
  deps: Pick<Deps, 'db' | 'clock'>,
  email: string,
  active: boolean,
): Promise<SetActiveResult> {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx): Promise<SetActiveResult> => {
    const user = await findUserByEmail(trx, email);
    if (!user) return { ok: false, reason: 'not_found' };
    if ((user.is_active === 1) === active) return { ok: true, changed: false };
    await setUserActive(trx, user.id, active, now);
    const revoked = active ? 0 : await invalidateUserSessions(trx, user.id);
    await recordAuditEvent(trx, now, {
      type: active ? 'account_activated' : 'account_deactivated',
      userId: user.id,
      details: { by: 'cli', ...(active ? {} : { sessionsRevoked: revoked }) },
    });
    return { ok: true, changed: true };
  });
}
