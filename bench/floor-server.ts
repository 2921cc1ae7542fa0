import { argon2, createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';

/**
 * The floor: the least a Node server can do for the same calls on the same database —
 * node:http + node:sqlite (or `pg` on PostgreSQL), parse the JSON body, one insert
 * (forgot-password) or one indexed select (verify-reset-token), one argon2id verification
 * with the same parameters (login), and the same envelope back. No framework, validation,
 * logging, batching or headers beyond those.
 *
 *   PORT=… DATABASE_PATH=/tmp/….db node bench/floor-server.ts
 *   PORT=… DATABASE_URL=postgres://… node bench/floor-server.ts   (a pool of 10, as Rekey's)
 */
interface TokenRow {
  email: string;
  expires_at: number;
  used_at: number | null;
  revoked_at: number | null;
}

/** The floor's three statements, on one database or the other. */
interface FloorStore {
  insertRequest(emailKey: string, clientIp: string, userAgent: string, now: number): unknown;
  selectToken(tokenHash: string): TokenRow | undefined | Promise<TokenRow | undefined>;
  selectPasswordHash(emailKey: string): string | undefined | Promise<string | undefined>;
}

const INSERT_REQUEST =
  'insert into reset_requests (email_key, client_ip, user_agent, created_at, processed_at) values ($1, $2, $3, $4, null)';
const SELECT_TOKEN =
  'select u.email, t.expires_at, t.used_at, t.revoked_at from password_reset_tokens t join users u on u.id = t.user_id where t.token_hash = $1';
const SELECT_USER = 'select password_hash from users where email_key = $1';

function sqliteStore(path: string): FloorStore {
  const db = new DatabaseSync(path, { timeout: 5000 });
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  // node:sqlite reads `$1` as a parameter named "1"; positional `?` is what it binds by order.
  const prepare = (statement: string) => db.prepare(statement.replace(/\$\d+/g, '?'));
  const insertRequest = prepare(INSERT_REQUEST);
  const selectToken = prepare(SELECT_TOKEN);
  const selectUser = prepare(SELECT_USER);
  return {
    insertRequest: (...values) => insertRequest.run(...values),
    selectToken: (tokenHash) => selectToken.get(tokenHash) as TokenRow | undefined,
    selectPasswordHash: (emailKey) =>
      (selectUser.get(emailKey) as { password_hash: string } | undefined)?.password_hash,
  };
}

function postgresStore(url: string): FloorStore {
  pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // Named statements: each connection parses and plans them once, as SQLite's prepare does.
  const query = <Row extends object>(name: string, text: string, values: unknown[]) =>
    pool.query<Row>({ name, text, values }).then((result) => result.rows[0]);
  return {
    insertRequest: (...values) => query('insert_request', INSERT_REQUEST, values),
    selectToken: (tokenHash) => query<TokenRow>('select_token', SELECT_TOKEN, [tokenHash]),
    selectPasswordHash: async (emailKey) =>
      (await query<{ password_hash: string }>('select_user', SELECT_USER, [emailKey]))
        ?.password_hash,
  };
}

const port = Number(process.env.PORT ?? 8001);
const store = process.env.DATABASE_URL?.startsWith('postgres')
  ? postgresStore(process.env.DATABASE_URL)
  : sqliteStore(process.env.DATABASE_PATH ?? '/tmp/rekey-floor.db');

const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function send(res: ServerResponse, code: number, message: string, data: object) {
  const body = JSON.stringify({ status: code < 300, status_code: code, message, data });
  res.writeHead(code, { 'content-type': 'application/json; charset=utf-8' });
  res.end(body);
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  return new Promise((resolve) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      raw += chunk;
    });
    req.on('end', () => {
      try {
        const value = JSON.parse(raw) as unknown;
        resolve(
          typeof value === 'object' && value !== null
            ? (value as Record<string, unknown>)
            : undefined,
        );
      } catch {
        resolve(undefined);
      }
    });
  });
}

function verifyPassword(phc: string, password: string): Promise<boolean> {
  const match = PHC.exec(phc);
  if (!match) return Promise.resolve(false);
  const [, m, t, p, salt, expected] = match as unknown as string[];
  const expectedKey = Buffer.from(expected ?? '', 'base64');
  return new Promise((resolve) => {
    argon2(
      'argon2id',
      {
        message: password,
        nonce: Buffer.from(salt ?? '', 'base64'),
        memory: Number(m),
        passes: Number(t),
        parallelism: Number(p),
        tagLength: expectedKey.length,
      },
      (error, key) => resolve(!error && timingSafeEqual(key, expectedKey)),
    );
  });
}

const server = createServer(async (req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') return send(res, 200, 'OK', {});
  const body = await readJson(req);
  if (!body) return send(res, 400, 'Malformed JSON.', {});
  switch (req.url) {
    case '/api/auth/forgot-password/': {
      const email = body.email;
      if (typeof email !== 'string' || !email.includes('@')) return send(res, 400, 'Invalid.', {});
      await store.insertRequest(
        email.toLowerCase(),
        req.socket.remoteAddress ?? '',
        String(req.headers['user-agent'] ?? ''),
        Date.now(),
      );
      return send(res, 200, 'If an account exists, a link is on its way.', {});
    }
    case '/api/auth/verify-reset-token/': {
      const token = body.token;
      if (typeof token !== 'string') return send(res, 400, 'Invalid.', {});
      const row = await store.selectToken(createHash('sha256').update(token).digest('hex'));
      if (!row || row.used_at !== null || row.revoked_at !== null || row.expires_at <= Date.now())
        return send(res, 400, 'Invalid or expired.', {});
      return send(res, 200, 'Token is valid.', { valid: true, email: row.email });
    }
    case '/api/auth/login/': {
      const { email, password } = body;
      if (typeof email !== 'string' || typeof password !== 'string')
        return send(res, 400, 'Invalid.', {});
      const hash = await store.selectPasswordHash(email.toLowerCase());
      if (!hash || !(await verifyPassword(hash, password)))
        return send(res, 400, 'Invalid credentials.', {});
      return send(res, 200, 'Logged in.', {});
    }
    default:
      return send(res, 404, 'Not found.', {});
  }
});
server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
