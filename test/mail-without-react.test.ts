import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, MAIN_JS, requireBuild } from './support/process.ts';
import { waitFor } from './support/wait.ts';

const ROOT = resolve(import.meta.dirname, '..');
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const RECORDER = join(ROOT, 'test', 'support', 'module-recorder.ts');
const BUNDLED_MODULES = join(ROOT, 'dist', 'main.modules.json');
const REACT = /\/node_modules\/(react|react-dom|@react-email\/[^/]+)\//;

const children: ChildProcess[] = [];
const directories: string[] = [];
beforeAll(requireBuild);
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const directory of directories.splice(0))
    rmSync(directory, { recursive: true, force: true });
});

/** Runs node with the module recorder; resolves with what it loaded once it has exited. */
function runRecorded(args: string[], env: Record<string, string> = {}) {
  const directory = mkdtempSync(join(tmpdir(), 'rekey-modules-'));
  directories.push(directory);
  const reportFile = join(directory, 'modules.json');
  const child = spawn(NODE, ['--import', RECORDER, ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      MODULE_RECORDER_REPORT: reportFile,
      DATABASE_URL: `sqlite:${join(directory, 'rekey.db')}`,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  const modules = new Promise<string[]>((done, fail) =>
    child.once('exit', (code) => {
      if (code !== 0) fail(new Error(`exited with ${code}:\n${output}`));
      else done(JSON.parse(readFileSync(reportFile, 'utf8')) as string[]);
    }),
  );
  return { child, output: () => output, modules };
}

describe('the running server', () => {
  it('sends the reset and the password-changed mail without loading React or React Email', async () => {
    const port = await freePort();
    const server = runRecorded([MAIN_JS], {
      HOST: '127.0.0.1',
      PORT: String(port),
      WEB_PORT: '0',
      LOG_LEVEL: 'warn',
    });
    const base = `http://127.0.0.1:${port}`;
    const post = (path: string, body: unknown) =>
      fetch(`${base}/api${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await waitFor(async () => (await fetch(`${base}/healthz`).catch(() => undefined))?.ok, {
      what: 'the API',
      timeoutMs: 20_000,
    });
    await post('/auth/register/', { email: 'ada@example.com', password: 'correct horse battery' });
    await post('/auth/forgot-password/', { email: 'ada@example.com' });
    const token = await waitFor(
      () => /reset-password\?token=([A-Za-z0-9_-]{43})/.exec(server.output())?.[1],
      { what: 'the reset mail on the console' },
    );
    const reset = await post('/auth/reset-password/', {
      token,
      new_password: 'another horse battery',
      confirm_password: 'another horse battery',
    });
    expect(reset.status).toBe(200);
    await waitFor(() => server.output().includes('Subject: Your password was changed'), {
      what: 'the password-changed mail on the console',
    });
    server.child.kill('SIGTERM');

    // dist/main.js is a bundle: what it holds is listed beside it, what it loads besides
    // (the packages left out of it) the recorder sees.
    const modules = await server.modules;
    expect(modules.some((url) => url.endsWith('/dist/main.js'))).toBe(true);
    expect(modules.filter((url) => REACT.test(url))).toEqual([]);
    const bundled = (JSON.parse(readFileSync(BUNDLED_MODULES, 'utf8')) as string[]).map(
      (path) => `/${path}`,
    );
    expect(bundled).toContain('/src/mail/compose.ts');
    expect(bundled.some((path) => path.includes('/node_modules/fastify/'))).toBe(true);
    expect(bundled.filter((path) => REACT.test(path))).toEqual([]);
  });

  it('(the check itself) sees React when a mail is rendered with React Email', async () => {
    const run = runRecorded([
      '--input-type=module',
      '-e',
      `const { prerenderMailTemplates } = await import(${JSON.stringify(join(ROOT, 'dist', 'mail', 'prerender.js'))});
       await prerenderMailTemplates();`,
    ]);
    const modules = await run.modules;
    const react = modules.filter((url) => REACT.test(url));
    expect(react.some((url) => url.includes('/node_modules/react/'))).toBe(true);
    expect(react.some((url) => url.includes('/node_modules/react-dom/'))).toBe(true);
    expect(react.some((url) => url.includes('/node_modules/@react-email/render/'))).toBe(true);
  });
});
