import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type ScenarioName, scenario } from './support/scenarios.ts';
import { seedDatabase } from './support/seed.ts';
import { freePort, rekeyEnv, START, spawnServer } from './support/server.ts';
import { startBenchSink } from './support/smtp-sink.ts';
import { median } from './support/stats.ts';

/**
 * Instructions the server executes per request, counted by valgrind's callgrind: the one
 * per-request cost that holds on a shared machine (±5 % from run to run, where req/s
 * drifts ±20 %). For comparing builds, each a copy of dist/, on the scale of a few percent.
 *
 *   node_modules/.bin/node bench/instructions.ts [--scenario verify|forgot] [--warm 3000]
 *        [--requests 3000] [--rounds 2] [--connections 8] [--node-arg <flag> …]
 *        [dist-dir …]   (default: dist)
 *
 * Each round starts every build afresh under callgrind with instrumentation off, warms it
 * (V8 compiles the hot paths), counts `--requests` requests, and stops it. Needs valgrind
 * (`apt-get install valgrind`); a build runs ~50 times slower under it.
 */
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    scenario: { type: 'string', default: 'verify' },
    warm: { type: 'string', default: '3000' },
    requests: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '8' },
    'node-arg': { type: 'string', multiple: true, default: [] },
  },
});
const name = values.scenario as ScenarioName;
if (name !== 'verify' && name !== 'forgot') throw new Error('--scenario must be verify or forgot');
const warm = Number(values.warm);
const requests = Number(values.requests);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const builds = (positionals.length > 0 ? positionals : ['dist']).map((dir) => resolve(dir));
if (spawnSync('valgrind', ['--version']).error) {
  throw new Error('valgrind is not installed: apt-get install valgrind');
}

const directory = mkdtempSync(join(tmpdir(), 'rekey-instructions-'));
const template = join(directory, 'template.db');
const users = 200;
const seeded = await seedDatabase(template, users);
const sink = await startBenchSink();
const data = { users, verifyTokens: seeded.tokens, resetTokens: [] };

/** `count` requests, `connections` at a time; every answer must be a 200. */
async function send(url: string, count: number, next: ReturnType<typeof scenario>) {
  let sent = 0;
  const connection = async () => {
    while (sent < count) {
      sent += 1;
      const { method, path, body } = next({});
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: connections }, connection));
}

async function count(build: string, round: number): Promise<number> {
  const label = `${round}-${builds.indexOf(build)}`;
  const dbPath = join(directory, `${label}.db`);
  copyFileSync(template, dbPath);
  const out = join(directory, `${label}.callgrind`);
  const server = await spawnServer({
    script: join(build, 'main.js'),
    port: await freePort(),
    nodeArgs: [...START.nodeArgs, ...values['node-arg']],
    launcher: [
      'valgrind',
      '-q',
      '--tool=callgrind',
      '--instr-atstart=no',
      `--callgrind-out-file=${out}`,
    ],
    startupTimeoutMs: 300_000,
    // No HOST: valgrind names its vgdb pipes after it, and callgrind_control (run with
    // this process's environment) would not find them.
    env: rekeyEnv(dbPath, sink.url),
  });
  try {
    await send(server.url, warm, scenario(name, data));
    const pid = String(server.pid);
    execFileSync('callgrind_control', ['--instr=on', pid], { stdio: 'ignore' });
    await send(server.url, requests, scenario(name, data));
    execFileSync('callgrind_control', ['--instr=off', pid], { stdio: 'ignore' });
    execFileSync('callgrind_control', ['--dump', pid], { stdio: 'ignore' });
  } finally {
    await server.stop();
  }
  // The dump above, and the one callgrind writes at exit (instrumentation off: ~0).
  let instructions = 0;
  for (const file of readdirSync(directory).filter((f) => f.startsWith(`${label}.callgrind`))) {
    const totals = /^totals: (\d+)/m.exec(readFileSync(join(directory, file), 'utf8'));
    instructions += Number(totals?.[1] ?? 0);
  }
  if (instructions === 0) throw new Error(`callgrind counted nothing for ${build}`);
  return instructions / requests;
}

console.log(
  `${name}: instructions per request, ${warm} to warm up, ${requests} counted, ${rounds} rounds`,
);
const perBuild = new Map<string, number[]>(builds.map((build) => [build, []]));
for (let round = 1; round <= rounds; round++) {
  for (const build of builds) {
    const perRequest = await count(build, round);
    perBuild.get(build)?.push(perRequest);
    console.log(`round ${round}  ${build}  ${(perRequest / 1000).toFixed(0)} k`);
  }
}
for (const [build, figures] of perBuild) {
  const ks = figures.map((figure) => (figure / 1000).toFixed(0)).join(', ');
  console.log(`${build}: median ${(median(figures) / 1000).toFixed(0)} k (${ks})`);
}
await sink.close();
rmSync(directory, { recursive: true, force: true });
