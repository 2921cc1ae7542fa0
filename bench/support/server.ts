import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const NODE = join(ROOT, 'node_modules', '.bin', 'node');

/**
 * How `npm start` runs the server (package.json's `start` script: `[NAME=value …] node
 * <flags> dist/main.js`): the benches start it with the same environment and flags, so they
 * measure Rekey as it runs.
 */
export const START = parseStartScript(
  (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } })
    .scripts.start,
);

/**
 * Reads `[NAME=value …] node <flags> dist/main.js`, words split on spaces; anything else
 * (quotes, a shell operator, no `node`) throws rather than bench a server started otherwise.
 */
export function parseStartScript(script: string): {
  env: Record<string, string>;
  nodeArgs: string[];
} {
  const words = script.trim().split(/\s+/);
  const node = words.indexOf('node');
  const main = words.indexOf('dist/main.js');
  const assignments = words.slice(0, node);
  const flags = words.slice(node + 1, main);
  if (
    node < 0 ||
    main !== words.length - 1 ||
    !assignments.every((word) => /^[A-Za-z_][A-Za-z0-9_]*=[^'"`$;&|<>]*$/.test(word)) ||
    !flags.every((flag) => /^--?[^'"`$;&|<>]+$/.test(flag))
  ) {
    throw new Error(
      `bench: package.json's start script is not "[NAME=value …] node <flags> dist/main.js": ${script}`,
    );
  }
  return { env: envFromPairs(assignments), nodeArgs: flags };
}

/**
 * The environment every bench starts Rekey with: `npm start`'s own, no rate limit (the load
 * comes from one address), warnings only, no web server, and its own database and SMTP
 * server; `extra` (e.g. `--env` options) has the last word.
 */
export function rekeyEnv(
  dbPath: string,
  smtpUrl: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...START.env,
    RATE_LIMIT_ENABLED: 'false',
    LOG_LEVEL: 'warn',
    WEB_PORT: '0',
    DATABASE_URL: `sqlite:${dbPath}`,
    SMTP_URL: smtpUrl,
    ...extra,
  };
}

/** `--env NAME=value` options as an environment (the value may itself hold '='). */
export function envFromPairs(pairs: readonly string[]): Record<string, string> {
  return Object.fromEntries(pairs.map((pair) => pair.split(/=(.*)/s).slice(0, 2)));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface EventLoopReport {
  maxMs: number;
  p99Ms: number;
  memoryMb?: Record<string, number>;
}

export interface RunningServer {
  pid: number;
  url: string;
  /** Spawn → the first 200 from /healthz. */
  startupMs: number;
  /** VmHWM: the most resident memory the process has had, in MiB. */
  peakRssMb(): number;
  /** VmRSS now, in MiB. */
  rssMb(): number;
  /** CPU time the process has used so far, all its threads (Linux: /proc/<pid>/stat). */
  cpuSeconds(): number;
  /** Starts the event-loop count afresh (call as the load begins). */
  resetEventLoop(): void;
  /** Stops it (SIGTERM) and returns what the event-loop probe printed at exit, if anything. */
  stop(): Promise<EventLoopReport | undefined>;
}

// utime and stime (fields 14 and 15), in clock ticks (USER_HZ, 100 on Linux). The name
// before them is in parentheses and may hold spaces or parentheses: count from the last ')'.
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

function statusField(pid: number, field: string): number {
  let status = '';
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return Number.NaN; // the process is gone
  }
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match?.[1] ? Number(match[1]) / 1024 : Number.NaN;
}

/**
 * Spawns `node <script>` with a probe preloaded that reports the event loop's delay at exit,
 * and waits (bounded) until `healthPath` answers 200.
 */
export async function spawnServer(options: {
  script: string;
  env: Record<string, string>;
  port: number;
  healthPath?: string;
  nodeArgs?: string[];
  /** Where the server's stdout goes: discarded unless asked for. */
  inheritOutput?: boolean;
  /** A command that runs node in its stead, e.g. `['valgrind', '--tool=callgrind']`. */
  launcher?: string[];
  /** How long to wait for `healthPath` (20 s). */
  startupTimeoutMs?: number;
}): Promise<RunningServer> {
  const probe = join(ROOT, 'bench', 'support', 'event-loop-probe.ts');
  const started = performance.now();
  const [command = NODE, ...launcherArgs] = options.launcher ? [...options.launcher, NODE] : [];
  const child: ChildProcess = spawn(
    command,
    [...launcherArgs, ...(options.nodeArgs ?? []), '--import', probe, options.script],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...options.env, PORT: String(options.port) },
      stdio: ['ignore', options.inheritOutput ? 'inherit' : 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  let exited = false;
  let stopping = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      if (!stopping && startupMs !== undefined) {
        process.stderr.write(
          `server ${child.pid} died (code ${code}, signal ${signal}):\n${stderr}\n`,
        );
      }
      resolve();
    });
  });
  let startupMs: number | undefined;
  const url = `http://127.0.0.1:${options.port}`;
  const startupTimeoutMs = options.startupTimeoutMs ?? 20_000;
  const deadline = Date.now() + startupTimeoutMs;
  for (;;) {
    if (exited) throw new Error(`server exited during startup:\n${stderr}`);
    try {
      const response = await fetch(`${url}${options.healthPath ?? '/healthz'}`);
      await response.arrayBuffer();
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not answer within ${startupTimeoutMs / 1000} s:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  startupMs = performance.now() - started;
  const pid = child.pid ?? 0;
  return {
    pid,
    url,
    startupMs,
    peakRssMb: () => statusField(pid, 'VmHWM'),
    rssMb: () => statusField(pid, 'VmRSS'),
    cpuSeconds: () => cpuSeconds(pid),
    resetEventLoop: () => child.kill('SIGUSR2'),
    async stop() {
      stopping = true;
      if (!exited) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
      const match = /^event-loop (\{.*\})$/m.exec(stderr);
      const unexpected = stderr
        .split('\n')
        .filter((line) => line.trim() !== '' && !line.startsWith('event-loop '));
      if (unexpected.length > 0) process.stderr.write(`${unexpected.join('\n')}\n`);
      return match?.[1] ? (JSON.parse(match[1]) as EventLoopReport) : undefined;
    },
  };
}
