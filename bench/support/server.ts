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

/** A process the benches started: what they read of it, and how to stop it. */
export interface RunningProcess {
  pid: number;
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

export interface RunningServer extends RunningProcess {
  url: string;
  /** Spawn → the first 200 from /healthz. */
  startupMs: number;
}

// utime and stime (fields 14 and 15), in clock ticks (USER_HZ, 100 on Linux). The name
// before them is in parentheses and may hold spaces or parentheses: count from the last ')'.
export function cpuSeconds(pid: number): number {
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

/** A node process started with the event-loop probe preloaded, its stderr kept. */
interface Launched {
  child: ChildProcess;
  pid: number;
  stderr(): string;
  exited(): boolean;
  /** From now on an exit is reported as a death (it was not asked for). */
  markReady(): void;
  /** Stops it (SIGTERM) and returns what the event-loop probe printed at exit, if anything. */
  stop(): Promise<EventLoopReport | undefined>;
}

function launch(options: {
  args: string[];
  env: Record<string, string>;
  stdout: 'inherit' | 'ignore' | 'pipe';
  launcher?: string[];
}): Launched {
  const probe = join(ROOT, 'bench', 'support', 'event-loop-probe.ts');
  const [command = NODE, ...launcherArgs] = options.launcher ? [...options.launcher, NODE] : [];
  const child: ChildProcess = spawn(
    command,
    [...launcherArgs, '--import', probe, ...options.args],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['ignore', options.stdout, 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  let exited = false;
  let stopping = false;
  let ready = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      if (!stopping && ready) {
        process.stderr.write(`${child.pid} died (code ${code}, signal ${signal}):\n${stderr}\n`);
      }
      resolve();
    });
  });
  return {
    child,
    pid: child.pid ?? 0,
    stderr: () => stderr,
    exited: () => exited,
    markReady: () => {
      ready = true;
    },
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

/** Once it is up: from now on an exit it was not asked for is reported as a death. */
function running(process_: Launched): RunningProcess {
  process_.markReady();
  const { pid } = process_;
  return {
    pid,
    peakRssMb: () => statusField(pid, 'VmHWM'),
    rssMb: () => statusField(pid, 'VmRSS'),
    cpuSeconds: () => cpuSeconds(pid),
    resetEventLoop: () => process_.child.kill('SIGUSR2'),
    stop: () => process_.stop(),
  };
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
  const started = performance.now();
  const process_ = launch({
    args: [...(options.nodeArgs ?? []), options.script],
    env: { ...options.env, PORT: String(options.port) },
    stdout: options.inheritOutput ? 'inherit' : 'ignore',
    ...(options.launcher ? { launcher: options.launcher } : {}),
  });
  const url = `http://127.0.0.1:${options.port}`;
  const startupTimeoutMs = options.startupTimeoutMs ?? 20_000;
  const deadline = Date.now() + startupTimeoutMs;
  for (;;) {
    if (process_.exited()) throw new Error(`server exited during startup:\n${process_.stderr()}`);
    try {
      const response = await fetch(`${url}${options.healthPath ?? '/healthz'}`);
      await response.arrayBuffer();
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      process_.child.kill('SIGKILL');
      throw new Error(
        `server did not answer within ${startupTimeoutMs / 1000} s:\n${process_.stderr()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const startupMs = performance.now() - started;
  return { ...running(process_), url, startupMs };
}

export type RunningWorker = RunningProcess;

/**
 * Spawns the mail worker alone, as "Running in production" runs it (`npm start`'s memory
 * variables, which `env` should hold, and node flags, then `dist/cli.js worker`), and waits
 * (20 s at most) for its "mail worker running" line: it logs at info for that, and then a
 * line per mail sent, as a worker at the default LOG_LEVEL does. `nodeArgs` come after
 * npm start's flags (e.g. --cpu-prof).
 */
export async function spawnWorker(
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<RunningWorker> {
  const process_ = launch({
    args: [...START.nodeArgs, ...nodeArgs, join(ROOT, 'dist', 'cli.js'), 'worker'],
    env: { ...env, LOG_LEVEL: 'info' },
    stdout: 'pipe',
  });
  const stdout = process_.child.stdout;
  if (!stdout) throw new Error('the worker has no stdout');
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => fail('did not say it was running within 20 s'), 20_000);
    function fail(why: string) {
      clearTimeout(timer);
      process_.child.kill('SIGKILL');
      reject(new Error(`mail worker ${why}:\n${process_.stderr()}`));
    }
    const early = () => fail('exited during startup');
    process_.child.once('exit', early);
    stdout.on('data', (chunk: Buffer) => {
      if (seen.includes('mail worker running')) return; // the rest is drained, not kept
      seen += chunk.toString('utf8');
      if (seen.includes('mail worker running')) {
        clearTimeout(timer);
        process_.child.off('exit', early);
        resolve();
      }
    });
  });
  return running(process_);
}
