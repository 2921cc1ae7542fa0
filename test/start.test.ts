import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { freePort, threadNiceValues } from './support/process.ts';
import { waitFor } from './support/wait.ts';

const root = resolve(import.meta.dirname, '..');
const node = join(root, 'node_modules/.bin/node');
const main = join(root, 'dist/main.js');
const children: ChildProcess[] = [];
const directories: string[] = [];

beforeAll(() => {
  if (!existsSync(main))
    throw new Error('dist/main.js is missing: run `npm run build` (npm test does)');
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const directory of directories.splice(0))
    rmSync(directory, { recursive: true, force: true });
});

function start(env: Record<string, string>, cwd: string) {
  const child = spawn(node, [main], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: 'pipe',
  });
  children.push(child);
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk) => {
    output.stdout += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output.stderr += String(chunk);
  });
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, output, exited };
}

/** Waits until the API on this port answers its health check. */
function apiUp(port: number) {
  return waitFor(
    async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok,
    { what: 'the API' },
  );
}

/** The files under a directory: Node's compile cache keeps one per module, in a subdirectory. */
function cacheFiles(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name);
}

function workdir(): string {
  const directory = mkdtempSync(join(tmpdir(), 'rekey-start-'));
  directories.push(directory);
  return directory;
}

describe('npm start', () => {
  it('serves the API on its embedded defaults and prints the reset mail with its link', async () => {
    const cwd = workdir();
    const port = await freePort();
    const server = start({ PORT: String(port), WEB_PORT: '0' }, cwd);
    const base = `http://127.0.0.1:${port}`;
    await apiUp(port);
    if (process.platform === 'linux') {
      // Hashing runs below the event loop in CPU priority (src/thread-pool-priority.ts).
      const THREAD_POOL_NICE = loadConfig({}).threadPoolNice;
      const threads = threadNiceValues(server.child.pid ?? 0);
      const pool = threads.filter((thread) => thread.name === 'libuv-worker');
      expect(pool.length).toBeGreaterThan(0);
      for (const thread of pool) expect(thread.nice).toBeGreaterThanOrEqual(THREAD_POOL_NICE);
      expect(threads.find((thread) => thread.id === server.child.pid)?.nice).toBeLessThan(
        THREAD_POOL_NICE,
      );
    }
    const post = (path: string, body: unknown) =>
      fetch(`${base}/api${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as Record<string, unknown>,
      }));

    expect(
      (
        await post('/auth/register/', {
          email: 'user@example.com',
          password: 'correct horse battery',
        })
      ).status,
    ).toBe(201);
    expect((await post('/auth/forgot-password/', { email: 'user@example.com' })).body.message).toBe(
      'You will receive a password reset link shortly.',
    );
    const token = await waitFor(
      () =>
        /http:\/\/localhost:3000\/reset-password\?token=([A-Za-z0-9_-]{43})/.exec(
          server.output.stdout,
        )?.[1],
      { what: 'the mail on the console' },
    );
    expect(server.output.stdout).toContain('Subject: Password Reset Request - BikeShop');
    expect((await post('/auth/verify-reset-token/', { token })).body).toEqual({
      status: true,
      status_code: 200,
      message: 'Token is valid',
      data: { valid: true, email: 'user@example.com' },
    });
    expect(existsSync(join(cwd, 'data/rekey.db'))).toBe(true);
    // The log lines (JSON) never carry the token; only the mail block does.
    const logLines = server.output.stdout.split('\n').filter((line) => line.startsWith('{'));
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain(token);

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it("leaves Node's compile cache for the next start even when stopped with SIGKILL", async () => {
    const cwd = workdir();
    const cache = join(cwd, 'compile-cache');
    const port = await freePort();
    const server = start(
      { PORT: String(port), WEB_PORT: '0', NODE_COMPILE_CACHE: cache, LOG_LEVEL: 'warn' },
      cwd,
    );
    await apiUp(port);
    server.child.kill('SIGKILL');
    await server.exited;
    // Node would write the cache at a clean exit only; it was flushed right after listening.
    // One file per module loaded: Fastify's, zod's, Kysely's and Rekey's own.
    expect(cacheFiles(cache).length).toBeGreaterThan(50);
  });

  it('reads .env and stops on a bad value with one line naming the variable', async () => {
    const cwd = workdir();
    writeFileSync(join(cwd, '.env'), 'RESET_TOKEN_TTL=soon\n');
    const server = start({}, cwd);
    expect(await server.exited).toBe(1);
    expect(server.output.stderr).toBe(
      'rekey: invalid configuration: RESET_TOKEN_TTL: must be a number of seconds\n',
    );
  });
});
