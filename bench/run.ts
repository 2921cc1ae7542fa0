import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { LAYOUT_OPTIONS, parseLayout } from './support/layout.ts';
import type { LoadResult } from './support/load.ts';
import { startOutsideWorld } from './support/outside-world.ts';
import { type BenchPostgres, startBenchPostgres } from './support/postgres.ts';
import { readResetBacklog } from './support/reset-backlog.ts';
import type { ScenarioData, ScenarioName } from './support/scenarios.ts';
import { seedDatabase } from './support/seed.ts';
import {
  type EventLoopReport,
  envFromPairs,
  freePort,
  ROOT,
  type RunningServer,
  type RunningWorker,
  rekeyEnv,
  START,
  spawnServer,
  spawnWorker,
} from './support/server.ts';
import { median } from './support/stats.ts';

/**
 * Rekey (dist/main.js) against the floor (bench/floor-server.ts) on the same calls, the same
 * seeded SQLite file and the same machine; prints each run and the Rekey/floor ratios.
 *
 *   npm run bench -- [--duration 10] [--connections 32] [--only forgot,verify,login,reset]
 *                    [--profile dir]   (Rekey runs under --cpu-prof, its mail worker too when
 *                                       separate; their profiles, and when their
 *                                       event loop stalled, are written to dir)
 *                    [--env NAME=value …] (extra environment for Rekey, e.g. LOG_LEVEL=info)
 *                    [--repeat N]  (N rounds of every run; ratios and p99 as medians)
 *                    [--warm-up S] (S seconds of the same load first, not counted: the
 *                                   figures of a server past its first seconds)
 *                    [--database postgres] (Rekey on a PostgreSQL of its own; the floor
 *                                   on SQLite, and for forgot and verify a second floor
 *                                   on a copy of the same PostgreSQL database)
 *                    [--mail-worker separate] (with postgres: the API with MAIL_WORKER=false
 *                                   and the mail worker in a process of its own)
 */
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    only: { type: 'string', default: 'forgot,verify,login,reset' },
    users: { type: 'string', default: '4000' },
    profile: { type: 'string' },
    'node-arg': { type: 'string', multiple: true, default: [] },
    env: { type: 'string', multiple: true, default: [] },
    repeat: { type: 'string', default: '1' },
    'warm-up': { type: 'string', default: '0' },
    ...LAYOUT_OPTIONS,
  },
});
const durationS = Number(values.duration);
const connections = Number(values.connections);
const scenarios = new Set(values.only.split(','));
const users = Number(values.users);
const repeat = Number(values.repeat);
if (!Number.isInteger(repeat) || repeat < 1) throw new Error('--repeat must be a whole number ≥ 1');
const warmUpS = Number(values['warm-up']);
if (!Number.isInteger(warmUpS) || warmUpS < 0) {
  throw new Error('--warm-up must be a whole number of seconds ≥ 0');
}
const { database, separateWorker } = parseLayout(values);
const profileDir = values.profile === undefined ? undefined : resolve(values.profile);
if (profileDir) mkdirSync(profileDir, { recursive: true });

/** floor-pg: the floor on PostgreSQL (with --database postgres, forgot and verify). */
type Target = 'rekey' | 'floor' | 'floor-pg';
interface Run extends LoadResult {
  scenario: string;
  target: Target;
  completed: number;
  peakRssMb: number;
  startupMs: number;
  eventLoop: EventLoopReport | undefined;
  /** With --mail-worker separate: the worker process's peak RSS. */
  workerPeakRssMb?: number;
}

const directory = mkdtempSync(join(tmpdir(), 'rekey-bench-'));
const template = join(directory, 'template.db');
process.stdout.write(`seeding ${users} users with a reset token each… `);
const seeded = await seedDatabase(template, users);
console.log('done');
const half = Math.floor(users / 2);
const verifyTokens = seeded.tokens.slice(0, half);
const resetTokens = seeded.tokens.slice(half);
const postgres: BenchPostgres | undefined =
  database === 'postgres' ? await startBenchPostgres(template) : undefined;
const world = await startOutsideWorld();
const data: ScenarioData = { users, verifyTokens, resetTokens };
// The warm-up spends reset tokens from the other end of the pool, so the counted load
// still finds every token it reaches unused.
const warmUpData: ScenarioData = { ...data, resetTokens: resetTokens.toReversed() };

/**
 * autocannon ends the warm-up with requests still in flight, and the server goes on with
 * them: under login, a hash for each of the 32 (~0.4 s of both cores) that would count
 * against the load. Waits until the server uses under half a core over 100 ms (the mail
 * worker may still be sending what the warm-up queued), at most 5 s.
 */
async function untilQuiet(server: RunningServer): Promise<void> {
  const windowMs = 100;
  const deadline = Date.now() + 5000;
  let before = server.cpuSeconds();
  while (Date.now() < deadline) {
    await sleep(windowMs);
    const now = server.cpuSeconds();
    if ((now - before) / (windowMs / 1000) < 0.5) return;
    before = now;
  }
  console.log('        (the server was still busy 5 s after the warm-up)');
}

let copies = 0;

async function run(name: ScenarioName, target: Target): Promise<Run> {
  const dbPath = join(directory, `${name}-${target}.db`);
  copyFileSync(template, dbPath);
  const rekey = target === 'rekey';
  const pgName = `rekey_bench_${++copies}`;
  const onPostgres = rekey || target === 'floor-pg';
  const pgUrl = onPostgres && postgres ? await postgres.copy(pgName) : undefined;
  const env = rekeyEnv(dbPath, world.smtpUrl, {
    ...(pgUrl ? { DATABASE_URL: pgUrl } : {}),
    ...(separateWorker ? { MAIL_WORKER: 'false' } : {}),
    ...(profileDir ? { REKEY_BENCH_STALL_DIR: profileDir } : {}),
    ...envFromPairs(values.env),
  });
  const profiling = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const worker: RunningWorker | undefined =
    rekey && separateWorker
      ? await spawnWorker(env, [...values['node-arg'], ...profiling])
      : undefined;
  const server = await spawnServer({
    script: join(ROOT, rekey ? 'dist/main.js' : 'bench/floor-server.ts'),
    port: await freePort(),
    nodeArgs: rekey ? [...START.nodeArgs, ...values['node-arg'], ...profiling] : values['node-arg'],
    env: rekey ? env : pgUrl ? { DATABASE_URL: pgUrl } : { DATABASE_PATH: dbPath },
  });
  if (warmUpS > 0) {
    await world.load({
      url: server.url,
      connections,
      durationS: warmUpS,
      scenario: name,
      data: warmUpData,
    });
    await untilQuiet(server);
  }
  server.resetEventLoop();
  worker?.resetEventLoop();
  const serverCpuBefore = server.cpuSeconds();
  const workerCpuBefore = worker?.cpuSeconds() ?? 0;
  const postgresCpuBefore = pgUrl ? (postgres?.cpuSeconds() ?? 0) : 0;
  // Forgot-password's other half, the worker's, after the answers: how much of it kept up.
  const backlogUrl = rekey && name === 'forgot' ? (pgUrl ?? `sqlite:${dbPath}`) : undefined;
  const backlogBefore = backlogUrl ? await readResetBacklog(backlogUrl) : undefined;
  const { result, completed, mailsDelivered, cpuSeconds } = await world.load({
    url: server.url,
    connections,
    durationS,
    scenario: name,
    data,
  });
  const backlogAfter = backlogUrl ? await readResetBacklog(backlogUrl) : undefined;
  const peakRssMb = server.peakRssMb();
  // Cores in use over the run: where the machine's two went (the server, or the outside world).
  const serverCores = (server.cpuSeconds() - serverCpuBefore) / result.durationS;
  const outsideCores = cpuSeconds / result.durationS;
  const workerCores = ((worker?.cpuSeconds() ?? 0) - workerCpuBefore) / result.durationS;
  const postgresCores =
    ((pgUrl ? (postgres?.cpuSeconds() ?? 0) : 0) - postgresCpuBefore) / result.durationS;
  const workerPeakRssMb = worker?.peakRssMb();
  const eventLoop = await server.stop();
  const workerLoop = await worker?.stop();
  rmSync(dbPath, { force: true });
  if (pgUrl) await postgres?.drop(pgName);
  const row: Run = {
    ...result,
    scenario: name,
    target,
    completed,
    peakRssMb,
    startupMs: server.startupMs,
    eventLoop,
    ...(workerPeakRssMb === undefined ? {} : { workerPeakRssMb }),
  };
  console.log(
    `${name.padEnd(7)} ${target.padEnd(8)} ${(completed / result.durationS).toFixed(0).padStart(6)} 2xx/s` +
      ` (${result.reqPerSec.toFixed(0)} req/s)  p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms` +
      `  non-2xx ${result.non2xx}  5xx ${result.status5xx}  errors ${result.errors}` +
      `  peak RSS ${peakRssMb.toFixed(0)} MB  loop max ${eventLoop?.maxMs ?? '?'} ms` +
      `  startup ${server.startupMs.toFixed(0)} ms` +
      (rekey ? `  mails delivered during the load ${mailsDelivered}` : '') +
      (backlogBefore && backlogAfter
        ? `\n        requests the mail worker handled during the load ${backlogAfter.handled - backlogBefore.handled}` +
          ` (${((backlogAfter.handled - backlogBefore.handled) / result.durationS).toFixed(0)}/s), still pending ${backlogAfter.pending}`
        : '') +
      `\n        cores used: server ${serverCores.toFixed(2)}` +
      (worker ? `, mail worker ${workerCores.toFixed(2)}` : '') +
      (pgUrl ? `, PostgreSQL ${postgresCores.toFixed(2)}` : '') +
      `, load generator + SMTP sink ${outsideCores.toFixed(2)}` +
      (worker
        ? `\n        mail worker: peak RSS ${workerPeakRssMb?.toFixed(0)} MB  loop max ${workerLoop?.maxMs ?? '?'} ms`
        : ''),
    eventLoop?.memoryMb
      ? `\n        memory at exit (MB): ${JSON.stringify(eventLoop.memoryMb)}`
      : '',
  );
  return row;
}

console.log(
  `node ${process.version}, ${cpus().length} cores, ${connections} connections, ${durationS} s per run` +
    (warmUpS > 0 ? ` after ${warmUpS} s of warm-up` : '') +
    `; Rekey on ${database === 'postgres' ? 'PostgreSQL (the floor on SQLite, floor-pg on PostgreSQL)' : 'SQLite'}` +
    (separateWorker ? ', its mail worker in a process of its own' : ''),
);
// Rounds interleave Rekey and the floor, so a slow minute of a shared host hits both.
const rounds: Run[][] = [];
for (let round = 1; round <= repeat; round++) {
  if (repeat > 1) console.log(`round ${round} of ${repeat}`);
  const runs: Run[] = [];
  for (const name of ['forgot', 'verify'] as const) {
    if (!scenarios.has(name)) continue;
    runs.push(await run(name, 'rekey'), await run(name, 'floor'));
    if (postgres) runs.push(await run(name, 'floor-pg'));
  }
  if (scenarios.has('login') || scenarios.has('reset')) runs.push(await run('login', 'floor'));
  if (scenarios.has('login')) runs.push(await run('login', 'rekey'));
  if (scenarios.has('reset')) runs.push(await run('reset', 'rekey'));
  rounds.push(runs);
}
await world.close();
postgres?.stop();
rmSync(directory, { recursive: true, force: true });

const find = (runs: Run[], name: string, target: Target) =>
  runs.find((r) => r.scenario === name && r.target === target);
const rate = (r: Run | undefined) => (r ? r.completed / r.durationS : Number.NaN);
/** The median over the rounds, and each round's figure when there are several. */
const summary = (values: number[], format: (value: number) => string) =>
  `${format(median(values))}${values.length > 1 ? ` (rounds: ${values.map(format).join(', ')})` : ''}`;
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
const targets: string[] = [];
const percent = (value: number) => `${(value * 100).toFixed(0)} %`;
const ratio = (name: string, floorName: string, goal: number, floor: Target = 'floor') => {
  const values = rounds.map(
    (runs) => rate(find(runs, name, 'rekey')) / rate(find(runs, floorName, floor)),
  );
  if (values.some(Number.isNaN)) return;
  const against =
    floor === 'floor-pg'
      ? 'floor on PostgreSQL'
      : goal < 0.9
        ? 'floor'
        : 'argon2id bound (floor login)';
  targets.push(
    `${name} / ${against}: ${summary(values, percent)}` +
      ` (target ≥ ${goal * 100} %) ${verdict(median(values) >= goal)}`,
  );
};
ratio('forgot', 'forgot', 0.7);
ratio('forgot', 'forgot', 0.7, 'floor-pg');
ratio('verify', 'verify', 0.7);
ratio('verify', 'verify', 0.7, 'floor-pg');
ratio('login', 'login', 0.9);
ratio('reset', 'login', 0.9);
for (const name of ['forgot', 'verify']) {
  const p99s = rounds.flatMap((runs) => find(runs, name, 'rekey')?.p99Ms ?? []);
  if (p99s.length === 0) continue;
  targets.push(
    `${name} p99: ${summary(p99s, (ms) => `${ms} ms`)} (target < 15 ms) ${verdict(median(p99s) < 15)}`,
  );
}
// The worst of every round: one stall or one peak is enough to miss these.
const mine = rounds.flat().filter((r) => r.target === 'rekey');
const loopMax = Math.max(...mine.map((r) => r.eventLoop?.maxMs ?? Number.POSITIVE_INFINITY));
const rssMax = Math.max(...mine.map((r) => r.peakRssMb));
const startMax = Math.max(...mine.map((r) => r.startupMs));
const workerRss = mine.flatMap((r) => r.workerPeakRssMb ?? []);
targets.push(
  `event loop max under load: ${loopMax} ms (target ≤ 10 ms) ${verdict(loopMax <= 10)}`,
  `peak RSS under load: ${rssMax.toFixed(0)} MB (target < 150 MB) ${verdict(rssMax < 150)}` +
    (workerRss.length > 0
      ? ` (the API process; the mail worker's own: ${Math.max(...workerRss).toFixed(0)} MB)`
      : ''),
  `start to listening (spawn → /healthz 200): ${startMax.toFixed(0)} ms (target < 1000 ms) ${verdict(startMax < 1000)}`,
  `5xx: ${mine.reduce((sum, r) => sum + r.status5xx, 0)}`,
);
console.log(`\n${targets.join('\n')}`);
