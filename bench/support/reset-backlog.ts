import { createDatabase } from '../../src/db/database.ts';

/** A run's forgot-password requests: handled by the mail worker so far, and still waiting. */
export interface ResetBacklog {
  handled: number;
  pending: number;
}

/**
 * Counts them in the run's database (read beside the running server, on a connection of its
 * own): the answers a forgot-password run counts are only half of its work, the other half
 * is the worker's, after the answer.
 */
export async function readResetBacklog(databaseUrl: string): Promise<ResetBacklog> {
  const { db, close } = createDatabase(databaseUrl, { poolSize: 1 });
  try {
    const row = await db
      .selectFrom('reset_requests')
      .select((eb) => [eb.fn.countAll().as('total'), eb.fn.count('processed_at').as('handled')])
      .executeTakeFirstOrThrow();
    const handled = Number(row.handled);
    return { handled, pending: Number(row.total) - handled };
  } finally {
    await close();
  }
}
