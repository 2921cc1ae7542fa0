import type { Selectable } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { insertUser } from '../src/accounts/users.ts';
import { compiledByCount, rowsOf, stringKeys } from '../src/db/compiled-by-count.ts';
import type { PasswordResetTokensTable } from '../src/db/schema.ts';
import { describeEachDatabase, type TestDatabase } from './support/databases.ts';
import { startTestService, type TestService } from './support/service.ts';
import { watchQueries } from './support/watch-queries.ts';

const account = (id: string, isActive = 1) => ({
  id,
  email: `${id}@example.com`,
  email_key: `${id}@example.com`,
  password_hash: 'hash',
  first_name: id,
  last_name: '',
  is_active: isActive,
  created_at: 0,
  updated_at: 0,
});

describeEachDatabase('compiledByCount', (target) => {
  let t: TestService;
  let database: TestDatabase;
  beforeEach(async () => {
    database = await target.create();
    t = await startTestService({}, { databaseUrl: database.url });
    for (const user of [account('a'), account('b'), account('c'), account('off', 0)]) {
      await insertUser(t.service.deps.db, user);
    }
  });
  afterEach(async () => {
    await t.close();
    await database.drop();
  });

  /** Active accounts by id; `is_active = 1` is a constant parameter beside the keys. */
  const activeByIds = compiledByCount(
    (db, ids: readonly string[]) =>
      db
        .selectFrom('users')
        .select(['id'])
        .where('is_active', '=', 1)
        .where('id', 'in', ids)
        .orderBy('id'),
    stringKeys,
    3,
  );

  it("answers each call with its own keys, the statement's constants kept", async () => {
    const { db } = t.service.deps;
    expect(await activeByIds(db, ['a', 'b'])).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(await activeByIds(db, ['c', 'off'])).toEqual([{ id: 'c' }]);
    expect(await activeByIds(db, ['b'])).toEqual([{ id: 'b' }]);
    expect(await activeByIds(db, ['zz', 'a', 'c'])).toEqual([{ id: 'a' }, { id: 'c' }]);
    const [first, second] = await Promise.all([
      activeByIds(db, ['a', 'x']),
      activeByIds(db, ['b', 'c']),
    ]);
    expect(first).toEqual([{ id: 'a' }]);
    expect(second).toEqual([{ id: 'b' }, { id: 'c' }]);
  });

  it('compiles once per count and per database, above the largest count every time', async () => {
    const { plugin, seen } = watchQueries();
    const db = t.service.deps.db.withPlugin(plugin);
    for (const ids of [['a'], ['b'], ['a', 'b'], ['c', 'a'], ['c']]) await activeByIds(db, ids);
    expect(seen).toHaveLength(2);
    await activeByIds(db, ['a', 'b', 'c', 'off']);
    await activeByIds(db, ['c', 'b', 'a', 'off']);
    expect(seen).toHaveLength(4);
    // Another database (here: the same one without the plugin) has templates of its own.
    expect(await activeByIds(t.service.deps.db, ['a'])).toEqual([{ id: 'a' }]);
    expect(seen).toHaveLength(4);
  });

  it('inserts rows, each with its own values, a null among them', async () => {
    type Token = Selectable<PasswordResetTokensTable>;
    const columns: (keyof Token)[] = [
      'token_hash',
      'user_id',
      'created_at',
      'expires_at',
      'used_at',
      'revoked_at',
    ];
    const insertTokens = compiledByCount(
      (db, rows: readonly Token[]) => db.insertInto('password_reset_tokens').values([...rows]),
      rowsOf<Token>(columns),
    );
    const token = (token_hash: string, user_id: string, revoked_at: number | null): Token => ({
      token_hash,
      user_id,
      created_at: 1,
      expires_at: 2,
      used_at: null,
      revoked_at,
    });
    const { db } = t.service.deps;
    await insertTokens(db, [token('t1', 'a', null), token('t2', 'b', 7)]);
    await insertTokens(db, [token('t3', 'c', 9), token('t4', 'a', null)]);
    await insertTokens(db, [token('t5', 'b', null)]);
    const stored = await db
      .selectFrom('password_reset_tokens')
      .selectAll()
      .orderBy('token_hash')
      .execute();
    const numberOrNull = (value: unknown) => (value === null ? null : Number(value));
    expect(
      stored.map((row) => ({
        ...row,
        created_at: Number(row.created_at),
        expires_at: Number(row.expires_at),
        revoked_at: numberOrNull(row.revoked_at),
      })),
    ).toEqual([
      token('t1', 'a', null),
      token('t2', 'b', 7),
      token('t3', 'c', 9),
      token('t4', 'a', null),
      token('t5', 'b', null),
    ]);
  });

  it('refuses rows whose columns are not the ones listed, rather than drop a value', async () => {
    type Row = Selectable<PasswordResetTokensTable>;
    const insertTokens = compiledByCount(
      (db, rows: readonly Row[]) => db.insertInto('password_reset_tokens').values([...rows]),
      rowsOf<Row>(['token_hash', 'user_id', 'created_at', 'expires_at', 'used_at']),
    );
    const row: Row = {
      token_hash: 'h',
      user_id: 'a',
      created_at: 0,
      expires_at: 1,
      used_at: null,
      revoked_at: 5,
    };
    const { revoked_at: _, ...listed } = { ...row, token_hash: 'listed' };
    await insertTokens(t.service.deps.db, [listed as Row]);
    // The template for one row is compiled now: a later row is checked all the same.
    await expect(insertTokens(t.service.deps.db, [row])).rejects.toThrow(
      'rowsOf: a row has the columns token_hash, user_id, created_at, expires_at, used_at, revoked_at, not token_hash, user_id, created_at, expires_at, used_at',
    );
    expect(
      await t.service.deps.db.selectFrom('password_reset_tokens').select('token_hash').execute(),
    ).toEqual([{ token_hash: 'listed' }]);
  });

  it('refuses a statement that does not take every key as a parameter', async () => {
    const ignoresKeys = compiledByCount(
      (db, _ids: readonly string[]) => db.selectFrom('users').select(['id']),
      stringKeys,
    );
    await expect(ignoresKeys(t.service.deps.db, ['a'])).rejects.toThrow(
      'every key must be a parameter of the statement',
    );
  });
});
