import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { builtModules, threadCpuMicros } from './support/built.ts';
import { seedDatabase, userEmail } from './support/seed.ts';
import { ROOT } from './support/server.ts';

/**
 * How fast the worker of a built dist delivers queued mail to an SMTP relay, and the
 * main-thread CPU each mail costs: password-changed mails queued in a SQLite file, worker
 * passes until the outbox is empty, the relay (an `smtp-server` at nice 19 in a process of
 * its own) answering each message `--reply-delay` ms after its data. A warm-up round, then
 * three measured ones.
 *
 *   node bench/mail-delivery.ts [--dist dist] [--mails 1000] [--reply-delay 0] [--pool 5]
 *
 * `--pool` sets the SMTP pool's size (`?maxConnections=` in SMTP_URL).
 */
const { values } = parseArgs({
  options: {
    dist: { type: 'string', default: join(ROOT, 'dist') },
    mails: { type: 'string', default: '1000' },
    'reply-delay': { type: 'string', default: '0' },
    pool: { type: 'string' },
  },
});
const dist = resolve(values.dist);
const mails = Number(values.mails);
const load = builtModules(dist);
const { loadConfig } = await load('config.js');
const { createService } = await load('service.js');
const { enqueueMails } = await load('mail/outbox.js');

const relay = spawn(
  'nice',
  ['-n', '19', process.execPath, join(ROOT, 'bench/support/relay-process.ts')],
  {
    env: { ...process.env, REPLY_DELAY_MS: values['reply-delay'] },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const relayUrl = await new Promise<string>((resolveUrl, reject) => {
  relay.once('exit', (code) => reject(new Error(`the relay exited (${code})`)));
  createInterface({ input: relay.stdout }).once('line', resolveUrl);
});
const directory = mkdtempSync(join(tmpdir(), 'rekey-mail-delivery-'));
const users = 500;
await seedDatabase(join(directory, 'bench.db'), users, { tokens: false });
const config = loadConfig({
  DATABASE_URL: `sqlite:${join(directory, 'bench.db')}`,
  LOG_LEVEL: 'warn',
  MAIL_WORKER: 'false', // the bench drives the worker's passes itself
  SMTP_URL: values.pool ? `${relayUrl}?maxConnections=${values.pool}` : relayUrl,
});
const service = await createService(config, {});
const { deps, worker, transport } = service;

async function round(count: number) {
  const now = Date.now();
  for (let first = 0; first < count; first += 50) {
    const size = Math.min(50, count - first);
    await enqueueMails(
      deps.db,
      Array.from({ length: size }, (_, i) => ({
        kind: 'password_changed',
        recipient: userEmail((first + i) % users),
        payload: { name: 'Ada', changedAt: now, notMeToken: randomUUID() },
        now,
        expiresAt: now + 86_400_000,
      })),
    );
  }
  const cpuBefore = threadCpuMicros();
  const started = performance.now();
  let sent = 0;
  for (
    let pass = await worker.runOnce();
    pass.sent + pass.failed > 0;
    pass = await worker.runOnce()
  )
    sent += pass.sent;
  const seconds = (performance.now() - started) / 1000;
  if (sent !== count) throw new Error(`sent ${sent} of ${count} mails`);
  return { perSecond: sent / seconds, cpuPerMail: (threadCpuMicros() - cpuBefore) / sent };
}

console.log(
  `${dist}: ${mails} mails a round, ${transport.maxConcurrentSends ?? 1} sends at once, relay answers after ${values['reply-delay']} ms`,
);
await round(Math.min(mails, 300));
for (let i = 1; i <= 3; i++) {
  const { perSecond, cpuPerMail } = await round(mails);
  console.log(
    `round ${i}: ${perSecond.toFixed(0)} mails/s, main-thread CPU ${cpuPerMail.toFixed(0)} µs per mail`,
  );
}
await service.close();
relay.kill();
rmSync(directory, { recursive: true, force: true });
