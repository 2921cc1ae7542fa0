import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, NODE, ROOT } from './support/server.ts';

/**
 * Resident memory of the built server idle after start and after it has sent one reset mail
 * through the console transport (SMTP_URL unset):
 *
 *   node bench/mail-memory.ts [path/to/main.js]   (default dist/main.js; run `npm run build`)
 */
const main = resolve(process.argv[2] ?? join(ROOT, 'dist', 'main.js'));
const directory = mkdtempSync(join(tmpdir(), 'rekey-mail-memory-'));
const port = await freePort();
const child = spawn(NODE, [main], {
  cwd: directory,
  env: {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: `sqlite:${join(directory, 'rekey.db')}`,
    PORT: String(port),
    WEB_PORT: '0',
    LOG_LEVEL: 'warn',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let output = '';
child.stdout.on('data', (chunk) => {
  output += String(chunk);
});

const base = `http://127.0.0.1:${port}`;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
async function until(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
function memory(): { rssMb: number; hwmMb: number } {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}
const post = (path: string, body: unknown) =>
  fetch(`${base}/api${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

try {
  await until(
    'the API',
    async () => (await fetch(`${base}/healthz`).catch(() => null))?.ok ?? false,
  );
  // Whatever runs right after listen (a template preload, say) has its time to finish.
  await sleep(2000);
  const idle = memory();
  await post('/auth/register/', { email: 'ada@example.com', password: 'correct horse battery' });
  await post('/auth/forgot-password/', { email: 'ada@example.com' });
  await until('the reset mail', () => output.includes('reset-password?token='));
  await sleep(500);
  const sent = memory();
  const mb = (value: number) => value.toFixed(1);
  console.log(`${main}`);
  console.log(`idle after start:   VmRSS ${mb(idle.rssMb)} MiB   VmHWM ${mb(idle.hwmMb)} MiB`);
  console.log(`after one mail:     VmRSS ${mb(sent.rssMb)} MiB   VmHWM ${mb(sent.hwmMb)} MiB`);
} finally {
  child.kill('SIGTERM');
  await new Promise((done) => child.once('exit', done));
  rmSync(directory, { recursive: true, force: true });
}
