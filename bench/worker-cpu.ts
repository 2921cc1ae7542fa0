import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { builtModules, threadCpuMicros } from './support/built.ts';
import { ROOT } from './support/server.ts';

/**
 * Main-thread CPU of the domain work behind two calls, with the built modules of a dist
 * directory (so two builds can be compared on one machine, minutes apart):
 * - the worker's forgot-password batches, per queued request (every address an account);
 * - a failed verify-reset-token, 32 at a time (the audit row included).
 *
 *   node bench/worker-cpu.ts [path/to/dist] [accounts]   (default dist, 4000 accounts)
 */
const dist = resolve(process.argv[2] ?? join(ROOT, 'dist'));
const accounts = Number(process.argv[3] ?? 4000);
const load = builtModules(dist);
const { loadConfig } = await load('config.js');
const { createService } = await load('service.js');
const { processResetRequests } = await load('reset/process-reset-requests.js');
const { requestPasswordReset } = await load('reset/request-password-reset.js');
const { verifyResetToken } = await load('reset/verify-reset-token.js');

const directory = mkdtempSync(join(tmpdir(), 'rekey-worker-cpu-'));
const config = loadConfig({
  DATABASE_URL: `sqlite:${join(directory, 'bench.db')}`,
  LOG_LEVEL: 'warn',
  RATE_LIMIT_ENABLED: 'false',
  SMTP_URL: 'smtp://127.0.0.1:9', // never reached: nothing here sends
});
const service = await createService(config, {});
const { deps } = service;
const email = (i: number) => `rider${i}@bench.example.com`;
for (let i = 0; i < accounts; i++) {
  await deps.db
    .insertInto('users')
    .values({
      id: randomUUID(),
      email: email(i),
      email_key: email(i),
      password_hash: 'unused',
      first_name: 'Ada',
      last_name: '',
      is_active: 1,
      created_at: 0,
      updated_at: 0,
    })
    .execute();
}
const context = { clientIp: '203.0.113.7', userAgent: 'bench' };

// Round 1 warms up; rounds 2 and 3 are measured.
let queued = 0;
let batchCpu = 0;
for (let round = 1; round <= 3; round++) {
  for (let i = 0; i < accounts; i++) await requestPasswordReset(deps, email(i), context);
  const before = threadCpuMicros();
  let handled = 0;
  for (
    let n = await processResetRequests(deps, 50);
    n > 0;
    n = await processResetRequests(deps, 50)
  )
    handled += n;
  if (round > 1) {
    batchCpu += threadCpuMicros() - before;
    queued += handled;
  }
}

let bad = 0;
const failedVerifies = () =>
  Promise.all(
    Array.from({ length: 32 }, () =>
      verifyResetToken(deps, `no-such-token-${bad++}`.padEnd(43, 'x'), context),
    ),
  );
for (let i = 0; i < 300; i++) await failedVerifies();
const before = threadCpuMicros();
for (let i = 0; i < 1000; i++) await failedVerifies();
const verifyCpu = threadCpuMicros() - before;

console.log(`worker batches of 50: ${(batchCpu / queued).toFixed(0)} µs per queued request`);
console.log(`failed verify, 32 at a time: ${(verifyCpu / 32000).toFixed(1)} µs per request`);
await service.close();
rmSync(directory, { recursive: true, force: true });
