/**
 * Does the time of a forgot-password answer tell whether the account exists?
 *
 *   npm run build && node_modules/.bin/node bench/forgot-password-timing.ts [requests]
 *
 * Starts the built server (dist/main.js) on its own SQLite file with RATE_LIMIT_ENABLED=false
 * and a real SMTP server that takes 50 ms per message, registers some accounts, then sends
 * forgot-password requests one at a time, alternating a registered and an unknown address,
 * and prints the median answer time of each kind and their difference.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startServerProcess } from '../test/support/process.ts';
import { startSmtpSink } from '../test/support/smtp.ts';
import { median, percentile } from './support/stats.ts';

const REQUESTS = Number(process.argv[2] ?? 400);
const ACCOUNTS = 20;
const WARMUP = 40;

const directory = mkdtempSync(join(tmpdir(), 'rekey-bench-'));
const smtp = await startSmtpSink({ delayMs: 50 });
const server = await startServerProcess({
  DATABASE_URL: `sqlite:${join(directory, 'rekey.db')}`,
  SMTP_URL: smtp.url,
  RATE_LIMIT_ENABLED: 'false',
});

try {
  const known: string[] = [];
  for (let i = 0; i < ACCOUNTS; i += 1) {
    const email = `rider${i}@example.com`;
    const response = await server.post('/auth/register/', {
      email,
      password: 'correct horse battery',
      first_name: `Rider${i}`,
    });
    if (response.status !== 201) throw new Error(`register ${email}: ${response.body}`);
    known.push(email);
  }

  async function timeOne(email: string): Promise<number> {
    const started = performance.now();
    const response = await fetch(`${server.baseUrl}/api/auth/forgot-password/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email }),
    });
    await response.arrayBuffer();
    const elapsed = performance.now() - started;
    if (response.status !== 200) throw new Error(`forgot-password ${email}: ${response.status}`);
    return elapsed;
  }

  for (let i = 0; i < WARMUP; i += 1) {
    await timeOne(i % 2 ? (known[i % ACCOUNTS] ?? '') : `warmup${i}@example.net`);
  }

  const knownTimes: number[] = [];
  const unknownTimes: number[] = [];
  for (let i = 0; i < REQUESTS; i += 1) {
    if (i % 2 === 0) knownTimes.push(await timeOne(known[(i / 2) % ACCOUNTS] ?? ''));
    else unknownTimes.push(await timeOne(`nobody${i}@example.net`));
  }

  const mk = median(knownTimes);
  const mu = median(unknownTimes);
  const format = (ms: number) => `${ms.toFixed(3)} ms`;
  console.log(`forgot-password timing, ${REQUESTS} sequential requests (Node ${process.version})`);
  console.log(
    `  registered: median ${format(mk)}  p90 ${format(percentile(knownTimes, 0.9))}  (n=${knownTimes.length})`,
  );
  console.log(
    `  unknown:    median ${format(mu)}  p90 ${format(percentile(unknownTimes, 0.9))}  (n=${unknownTimes.length})`,
  );
  console.log(`  difference of medians (registered - unknown): ${format(mk - mu)}`);
  console.log(`  mails delivered meanwhile (50 ms each at the SMTP server): ${smtp.mails.length}`);
} finally {
  server.child.kill('SIGTERM');
  await server.exited;
  await smtp.close();
  rmSync(directory, { recursive: true, force: true });
}
