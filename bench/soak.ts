import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDatabase } from '../src/db/database.ts';
import { LAYOUT_OPTIONS, parseLayout } from './support/layout.ts';
import { runLoad } from './support/load.ts';
import { startBenchPostgres } from './support/postgres.ts';
import { BENCH_PASSWORD, seedDatabase, userEmail } from './support/seed.ts';
import {
  envFromPairs,
  freePort,
  ROOT,
  rekeyEnv,
  START,
  spawnServer,
  spawnWorker,
} from './support/server.ts';
import { startBenchSink } from './support/smtp-sink.ts';

/**
 * Mixed traffic at a steady rate for a while, with the SMTP server refusing (421) for the
 * first `outage` seconds of every minute. At the end: no 5xx, every requested mail delivered
 * exactly once (after a bounded wait for the outbox to drain), and RSS flat.
 *
 *   node bench/soak.ts [--minutes 10] [--rate 100] [--outage 20] [--users 2000]
 *                      [--database postgres] [--mail-worker separate]  (as bench/run.ts)
 */
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '100' },
    connections: { type: 'string', default: '16' },
    outage: { type: 'string', default: '20' },
    users: { type: 'string', default: '2000' },
    drain: { type: 'string', default: '180' },
    profile: { type: 'string' },
    env: { type: 'string', multiple: true, default: [] },
    ...LAYOUT_OPTIONS,
  },
});
const layout = parseLayout(values);
const { separateWorker } = layout;
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const outageS = Number(values.outage);
const users = Number(values.users);
const drainS = Number(values.drain);

const TOKEN_IN_MAIL = /token=(?:3D)?([A-Za-z0-9_-]{43})/;

const directory = mkdtempSync(join(tmpdir(), 'rekey-soak-'));
const dbPath = join(directory, 'rekey.db');
const seeded = await seedDatabase(dbPath, users);
const postgres = layout.database === 'postgres' ? await startBenchPostgres(dbPath) : undefined;
const databaseUrl = postgres ? await postgres.copy('rekey_soak') : `sqlite:${dbPath}`;
const sink = await startBenchSink();
const env = rekeyEnv(dbPath, sink.url, {
  DATABASE_URL: databaseUrl,
  ...(separateWorker ? { MAIL_WORKER: 'false' } : {}),
  ...envFromPairs(values.env),
});
const profiling = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [];
const worker = separateWorker ? await spawnWorker(env, profiling) : undefined;
const server = await spawnServer({
  script: join(ROOT, 'dist', 'main.js'),
  port: await freePort(),
  nodeArgs: [...START.nodeArgs, ...profiling],
  env,
});
console.log(
  `soak: ${minutes} min at ${rate} req/s, SMTP down ${outageS} s each minute, ` +
    `${users} users, on ${layout.database}` +
    (worker ? ` with the mail worker apart (pid ${worker.pid})` : '') +
    `, server pid ${server.pid}, started in ${server.startupMs.toFixed(0)} ms`,
);

// Tokens: the seeded ones first, then every one that arrives by mail.
const freshTokens: string[] = [...seeded.tokens];
const seenTokens = new Map<string, number>();
let scanned = 0;
function scanMail() {
  for (; scanned < sink.messages.length; scanned += 1) {
    const raw = (sink.messages[scanned] ?? '').replace(/=\r?\n/g, '');
    const token = TOKEN_IN_MAIL.exec(raw)?.[1];
    if (!token) continue;
    seenTokens.set(token, (seenTokens.get(token) ?? 0) + 1);
    freshTokens.push(token);
  }
}

const counts = { forgotRegistered2xx: 0, reset2xx: 0, login2xx: 0, verify2xx: 0 };
let unknown = 0;
const pick = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)] as T;
const anyUser = () => userEmail(Math.floor(Math.random() * users));

const started = Date.now();
const rss: { minute: number; mb: number; workerMb?: number }[] = [];
const sampleRss = (minute: number) =>
  rss.push({
    minute,
    mb: server.rssMb(),
    ...(worker ? { workerMb: worker.rssMb() } : {}),
  });
const timers: NodeJS.Timeout[] = [];
for (let minute = 1; minute <= minutes; minute += 1) {
  timers.push(
    setTimeout(() => sampleRss(minute), minute * 60_000 - 1000),
    setTimeout(() => sink.setAvailable(false), (minute - 1) * 60_000),
    setTimeout(() => sink.setAvailable(true), (minute - 1) * 60_000 + outageS * 1000),
  );
}
const scanner = setInterval(scanMail, 200);
server.resetEventLoop();
worker?.resetEventLoop();

const load = await runLoad({
  url: server.url,
  connections: Number(values.connections),
  durationS: minutes * 60,
  overallRate: rate,
  next(context) {
    const roll = Math.random();
    if (roll < 0.2) {
      context.kind = 'forgot-registered';
      return { method: 'POST', path: '/api/auth/forgot-password/', body: { email: anyUser() } };
    }
    if (roll < 0.4) {
      context.kind = 'forgot-unknown';
      unknown += 1;
      return {
        method: 'POST',
        path: '/api/auth/forgot-password/',
        body: { email: `nobody${unknown}@bench.example.com` },
      };
    }
    if (roll < 0.85) {
      context.kind = 'verify';
      const token = freshTokens.length > 0 ? pick(freshTokens.slice(-200)) : 'x'.repeat(43);
      return { method: 'POST', path: '/api/auth/verify-reset-token/', body: { token } };
    }
    if (roll < 0.925) {
      context.kind = 'reset';
      const token = freshTokens.pop() ?? 'y'.repeat(43);
      return {
        method: 'POST',
        path: '/api/auth/reset-password/',
        body: { token, new_password: BENCH_PASSWORD, confirm_password: BENCH_PASSWORD },
      };
    }
    context.kind = 'login';
    return {
      method: 'POST',
      path: '/api/auth/login/',
      body: { email: anyUser(), password: BENCH_PASSWORD },
    };
  },
  onResponse(status, _body, context) {
    if (status < 200 || status >= 300) return;
    if (context.kind === 'forgot-registered') counts.forgotRegistered2xx += 1;
    else if (context.kind === 'reset') counts.reset2xx += 1;
    else if (context.kind === 'login') counts.login2xx += 1;
    else if (context.kind === 'verify') counts.verify2xx += 1;
  },
});
for (const timer of timers) clearTimeout(timer);
sampleRss(minutes);
sink.setAvailable(true);
const loadEndedS = (Date.now() - started) / 1000;

// Bounded wait for the outbox to drain: no pending request, no pending mail.
const database = createDatabase(databaseUrl);
const { db } = database;
const count = async (query: Promise<{ n: number | string | bigint } | undefined>) =>
  Number((await query)?.n ?? 0);
const pendingRequestCount = () =>
  count(
    db
      .selectFrom('reset_requests')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('processed_at', 'is', null)
      .executeTakeFirst(),
  );
const pendingWork = async () =>
  (await pendingRequestCount()) +
  (await count(
    db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('status', '=', 'pending')
      .executeTakeFirst(),
  ));
const drainDeadline = Date.now() + drainS * 1000;
while ((await pendingWork()) > 0 && Date.now() < drainDeadline) {
  await new Promise((resolve) => setTimeout(resolve, 500));
}
const drainS_ = (Date.now() - started) / 1000 - loadEndedS;
clearInterval(scanner);
scanMail();

const outbox = (
  await db
    .selectFrom('outbox')
    .select((eb) => ['kind', 'status', eb.fn.countAll().as('n')])
    .groupBy(['kind', 'status'])
    .execute()
).map((row) => ({ kind: row.kind, status: row.status, n: Number(row.n) }));
// The worker blanks a request's address once it has read it, so the requests that named an
// account are counted from the audit trail: with the limits off, each one is "queued".
const registeredRequests = await count(
  db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('event_type', '=', 'reset_requested')
    .where('details', 'like', '%"outcome":"queued"%')
    .executeTakeFirst(),
);
const pendingRequests = await pendingRequestCount();
const completedResets = await count(
  db
    .selectFrom('password_reset_tokens')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('used_at', 'is not', null)
    .executeTakeFirst(),
);
await database.close();
const eventLoop = await server.stop();
const workerLoop = await worker?.stop();
await sink.close();
postgres?.stop();
rmSync(directory, { recursive: true, force: true });

// Counted on the server's side: a request cut off by the end of the load still asked for a mail.
const requested = registeredRequests + completedResets;
const outboxTotal = outbox.reduce((sum, row) => sum + row.n, 0);
const delivered = sink.messages.length;
const duplicates = [...seenTokens.values()].filter((n) => n > 1).length;
const at = (minute: number) => rss.find((r) => r.minute === minute)?.mb ?? Number.NaN;
const early = at(Math.min(2, minutes));
const late = at(minutes);
const growth = (late - early) / early;
const workerAt = (minute: number) => rss.find((r) => r.minute === minute)?.workerMb ?? Number.NaN;
const workerGrowth = worker
  ? (workerAt(minutes) - workerAt(Math.min(2, minutes))) / workerAt(Math.min(2, minutes))
  : 0;

const lines = [
  `requests: ${load.requests} in ${load.durationS} s (${load.reqPerSec.toFixed(1)} req/s), ` +
    `p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms, max ${load.maxMs} ms`,
  `5xx: ${load.status5xx} (expected 0); errors ${load.errors}, timeouts ${load.timeouts}; ` +
    `non-2xx ${load.non2xx} (4xx from spent/revoked tokens are expected)`,
  `2xx by kind: forgot (registered) ${counts.forgotRegistered2xx}, reset ${counts.reset2xx}, ` +
    `verify ${counts.verify2xx}, login ${counts.login2xx}`,
  `mails requested: ${requested} (forgot for registered addresses ${registeredRequests} ` +
    `[client saw 2xx ${counts.forgotRegistered2xx}] + completed resets ${completedResets} ` +
    `[client saw 2xx ${counts.reset2xx}]); ` +
    `outbox rows ${outboxTotal}: ${outbox.map((r) => `${r.kind}/${r.status} ${r.n}`).join(', ')}`,
  `mails delivered: ${delivered}; lost = requested - delivered = ${requested - delivered}; ` +
    `tokens delivered twice: ${duplicates}; outbox drained ${drainS_.toFixed(1)} s after the load; ` +
    `requests never handled: ${pendingRequests}`,
  `RSS: minute ${Math.min(2, minutes)} ${early.toFixed(1)} MB, minute ${minutes} ${late.toFixed(1)} MB ` +
    `(${(growth * 100).toFixed(1)} %, target within ±10 %); per minute: ` +
    rss.map((r) => `${r.minute}:${r.mb.toFixed(0)}`).join(' '),
  ...(worker
    ? [
        `mail worker RSS: minute ${Math.min(2, minutes)} ${workerAt(Math.min(2, minutes)).toFixed(1)} MB, ` +
          `minute ${minutes} ${workerAt(minutes).toFixed(1)} MB (${(workerGrowth * 100).toFixed(1)} %, ` +
          `target within ±10 %); per minute: ` +
          rss.map((r) => `${r.minute}:${r.workerMb?.toFixed(0)}`).join(' '),
      ]
    : []),
  `event loop: max ${eventLoop?.maxMs ?? '?'} ms, p99 ${eventLoop?.p99Ms ?? '?'} ms` +
    (worker ? `; the mail worker's: max ${workerLoop?.maxMs ?? '?'} ms` : ''),
];
console.log(lines.join('\n'));
const ok =
  load.status5xx === 0 &&
  requested === delivered &&
  pendingRequests === 0 &&
  // Every forgot-password the client saw answered for an account became a mail.
  registeredRequests >= counts.forgotRegistered2xx &&
  duplicates === 0 &&
  Math.abs(growth) <= 0.1 &&
  Math.abs(workerGrowth) <= 0.1;
console.log(ok ? 'soak: PASS' : 'soak: FAIL');
process.exit(ok ? 0 : 1);
