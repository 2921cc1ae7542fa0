import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createDatabase, type Db } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { prepareQuery } from '../src/db/prepared-query.ts';
import { describeEachDatabase, type TestDatabase } from './support/databases.ts';

// A constant sits between the two slots, so a slot bound to the wrong position shows.
const insertRateLimit = prepareQuery((db, slots: { key: string; expiresAt: number }) =>
  db.insertInto('rate_limits').values({ key: slots.key, count: 7, expires_at: slots.expiresAt }),
);
const selectRateLimit = prepareQuery((db, slots: { key: string }) =>
  db.selectFrom('rate_limits').select(['key', 'count', 'expires_at']).where('key', '=', slots.key),
);

describeEachDatabase('prepared queries', (target) => {
  let database: TestDatabase;
  let opened: Db;
  let directory: string;
  beforeEach(async () => {
    database = await target.create();
    directory = mkdtempSync(join(tmpdir(), 'rekey-prepared-'));
    opened = createDatabase(database.url ?? `sqlite:${join(directory, 'rekey.db')}`);
    await migrateToLatest(opened.db);
  });
  afterEach(async () => {
    await opened.close();
    await database.drop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('binds each call its own values, in the slots the query was built with', async () => {
    await insertRateLimit.execute(opened.db, { key: 'a', expiresAt: 1000 });
    await insertRateLimit.execute(opened.db, { key: 'b', expiresAt: 2000 });
    expect((await selectRateLimit.execute(opened.db, { key: 'b' })).rows).toEqual([
      { key: 'b', count: 7, expires_at: 2000 },
    ]);
    expect((await selectRateLimit.execute(opened.db, { key: 'a' })).rows).toEqual([
      { key: 'a', count: 7, expires_at: 1000 },
    ]);
    expect((await selectRateLimit.execute(opened.db, { key: 'c' })).rows).toEqual([]);
  });

  it('runs inside a transaction, which rolls it back like any other query', async () => {
    await expect(
      opened.db.transaction().execute(async (trx) => {
        await insertRateLimit.execute(trx, { key: 'in-trx', expiresAt: 1 });
        expect((await selectRateLimit.execute(trx, { key: 'in-trx' })).rows).toHaveLength(1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect((await selectRateLimit.execute(opened.db, { key: 'in-trx' })).rows).toEqual([]);
  });
});
