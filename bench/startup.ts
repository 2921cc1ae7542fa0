/**
 * Start to listening, and the memory right after: spawns the built server the way `npm start`
 * does (its environment and node flags) on a fresh SQLite file, `--runs` times, and prints
 * each start's spawn → `/healthz` 200 and RSS. With `--vs <other dist/main.js>` the two
 * builds start in turn, A B A B …, so a drifting host drifts for both.
 *
 *   npm run build && node_modules/.bin/node bench/startup.ts [--runs 8] [--vs path/to/dist/main.js]
 *
 * The first start of each build is left out of the figures: it writes Node's compile cache
 * (or reads cold files) and says nothing about the starts after it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, ROOT, rekeyEnv, START, spawnServer } from './support/server.ts';
import { median } from './support/stats.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '8' }, vs: { type: 'string' } },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a whole number ≥ 1');
const builds = [join(ROOT, 'dist', 'main.js'), ...(values.vs ? [resolve(values.vs)] : [])];
const directory = mkdtempSync(join(tmpdir(), 'rekey-startup-'));

async function start(script: string, index: number): Promise<{ ms: number; rssMb: number }> {
  const dbPath = join(directory, `${index}.db`);
  const server = await spawnServer({
    script,
    port: await freePort(),
    nodeArgs: START.nodeArgs,
    // Nothing listens on port 9: the worker's first pass finds no mail to send anyway.
    env: rekeyEnv(dbPath, 'smtp://127.0.0.1:9'),
  });
  const rssMb = server.rssMb();
  await server.stop();
  rmSync(dbPath, { force: true });
  return { ms: server.startupMs, rssMb };
}

const results = builds.map(() => [] as { ms: number; rssMb: number }[]);
try {
  for (let round = 0; round <= runs; round += 1) {
    for (const [index, script] of builds.entries()) {
      const result = await start(script, round * builds.length + index);
      if (round > 0) results[index]?.push(result);
    }
  }
} finally {
  rmSync(directory, { recursive: true, force: true });
}

console.log(`node ${process.version}, ${runs} starts each after one left out`);
for (const [index, script] of builds.entries()) {
  const rows = results[index] ?? [];
  const ms = rows.map((row) => row.ms);
  const rss = rows.map((row) => row.rssMb);
  console.log(
    `${script}\n  start to listening: median ${median(ms).toFixed(0)} ms (${ms.map((v) => v.toFixed(0)).join(', ')})` +
      `\n  RSS after start: median ${median(rss).toFixed(0)} MB (${rss.map((v) => v.toFixed(0)).join(', ')})`,
  );
}
