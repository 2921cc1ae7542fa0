import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * The built server (`dist/main.js`, which `npm test` builds before vitest) as a real child
 * process. It is started with PORT=0, so the OS picks a free port, and the port is read
 * from the "Server listening at" line Fastify logs; nothing is guessed or reserved.
 */
export interface RekeyProcess {
  name: string;
  baseUrl: string;
  output: string[];
  stop(): Promise<void>;
}

const NODE = resolve('node_modules/.bin/node');
const MAIN = resolve('dist/main.js');

export function startRekeyProcess(
  name: string,
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<RekeyProcess> {
  const child = spawn(NODE, [MAIN], {
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
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString('utf8'));
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output.join(''));
      if (match?.[1]) {
        clearTimeout(timer);
        resolvePromise({ name, baseUrl: match[1], output, stop });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before listening:\n${output.join('')}`));
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
  target: RekeyProcess,
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
