import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * The built program (`npm test` builds dist/ before vitest) as real child processes:
 * an API process is `dist/main.js` with MAIL_WORKER=false, a worker is `dist/cli.js worker`.
 * An API process gets PORT=0, so the OS picks a free port; the port is read from the
 * "Server listening at" line Fastify logs, so nothing is guessed or reserved.
 */
export interface RekeyProcess {
  name: string;
  /** http://127.0.0.1:<port> for an API process; empty for a worker. */
  baseUrl: string;
  output: string[];
  stop(): Promise<void>;
}

const NODE = resolve('node_modules/.bin/node');

export function startApiProcess(name: string, env: Record<string, string>) {
  return startRekeyProcess(
    name,
    [resolve('dist/main.js')],
    { ...env, MAIL_WORKER: 'false' },
    (output) => /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1],
  );
}

export function startWorkerProcess(name: string, env: Record<string, string>) {
  return startRekeyProcess(name, [resolve('dist/cli.js'), 'worker'], env, (output) =>
    /mail worker running/.test(output) ? '' : undefined,
  );
}

function startRekeyProcess(
  name: string,
  args: string[],
  env: Record<string, string>,
  ready: (output: string) => string | undefined,
  timeoutMs = 30_000,
): Promise<RekeyProcess> {
  const child = spawn(NODE, args, {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      WEB_PORT: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start in ${timeoutMs} ms:\n${output.join('')}`));
    }, timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      output.push(chunk.toString('utf8'));
      const baseUrl = ready(output.join(''));
      if (baseUrl !== undefined) {
        clearTimeout(timer);
        resolvePromise({ name, baseUrl, output, stop });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`${name} exited (${code ?? signal}) before it was ready:\n${output.join('')}`),
      );
    });
  });
}

export async function stopAll(processes: RekeyProcess[]): Promise<void> {
  await Promise.all(processes.map((p) => p.stop()));
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: {
    status: boolean;
    status_code: number;
    message: string;
    data: Record<string, unknown> & { errors?: Record<string, string[]> };
  };
}

export async function postJson(
  target: Pick<RekeyProcess, 'baseUrl'>,
  path: string,
  body: unknown,
): Promise<JsonResponse> {
  const response = await fetch(`${target.baseUrl}/api${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as JsonResponse['body'],
  };
}
