import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types
type AnyDb = Kysely<any>;

function serialKey(db: AnyDb) {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  return (column: ColumnDefinitionBuilder) =>
    postgres
      ? column.primaryKey().generatedByDefaultAsIdentity()
      : column.primaryKey().autoIncrement();
}

// Frozen in time: a migration never imports application code.
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'integer', serialKey(db))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('event_type', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(36)')
    .addColumn('client_ip', 'varchar(64)')
    .addColumn('user_agent', 'varchar(512)')
    .addColumn('details', 'text')
    .execute();
  await db.schema
    .createIndex('audit_events_created')
    .on('audit_events')
    .columns(['created_at'])
    .execute();
  await db.schema
    .createIndex('audit_events_user')
    .on('audit_events')
    .columns(['user_id', 'created_at'])
    .execute();

  // Set by the "this wasn't me" link: sign-in refused until a password reset clears it.
  await db.schema.alterTable('users').addColumn('locked_at', 'bigint').execute();

  await db.schema
    .createTable('not_me_tokens')
    .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(36)', (c) =>
      c.notNull().references('users.id').onDelete('cascade'),
    )
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('not_me_tokens_user')
    .on('not_me_tokens')
    .columns(['user_id'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('not_me_tokens').execute();
  await db.schema.alterTable('users').dropColumn('locked_at').execute();
  await db.schema.dropTable('audit_events').execute();
}
