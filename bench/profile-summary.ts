import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  frameLabel,
  type ProfileNode,
  packageOf,
  readCpuProfile,
  samplesWithin,
} from './support/cpu-profile.ts';

/**
 * Summarises a `--cpu-prof` profile: self time by function and by package, so the cost is
 * read from the profile rather than guessed. Frames in the bundled server are read through
 * its source map, so Fastify, Kysely and Rekey's own modules keep their names.
 *
 *   node bench/profile-summary.ts <file.cpuprofile> [top] [--stalls <stalls.json> [--min 10]]
 *
 * `--stalls`: what the event loop's stalls held instead. `npm run bench -- --profile <dir>`
 * writes, beside each profile `CPU.<date>.<time>.<pid>….cpuprofile`, the stalls of that
 * server, `stalls.<pid>.json`; the summary takes those of at least `--min` ms (read as the
 * monitor reads them, the probe's 1 ms interval taken off), the samples inside them,
 * inclusive time by function over all of them and the longest ten one by one.
 */
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { stalls: { type: 'string' }, min: { type: 'string', default: '10' } },
});
const [file, topArg] = positionals;
if (!file) {
  throw new Error(
    'usage: node bench/profile-summary.ts <file.cpuprofile> [top] [--stalls <file> [--min <ms>]]',
  );
}
const top = Number(topArg ?? 25);
// A second file where `top` belongs (a shell glob matching two profiles) printed empty tables.
if (!Number.isInteger(top) || top < 1) {
  throw new Error(`top must be a whole number ≥ 1, not "${topArg}" (one profile at a time)`);
}
const profile = readCpuProfile(file);
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);

const print = (title: string, map: Map<string, number>, total: number) => {
  console.log(`\n${title}`);
  for (const [name, hits] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((hits / total) * 100).toFixed(1).padStart(5)} %  ${name}`);
  }
};

/** Inclusive time: a function's own samples plus everything it called (counted once per stack). */
function inclusiveByFunction(hitsByNode: Iterable<[ProfileNode, number]>): Map<string, number> {
  const inclusive = new Map<string, number>();
  for (const [node, hits] of hitsByNode) {
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parentOf.get(id)) {
      const ancestor = nodes.get(id);
      if (!ancestor) break;
      const name = frameLabel(ancestor.callFrame);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + hits);
    }
  }
  return inclusive;
}

function summariseAll(): void {
  const total = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0);
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    const fn = frameLabel(node.callFrame);
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + hits);
    const pkg = packageOf(node.callFrame);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + hits);
  }
  const withHits = profile.nodes
    .filter((n) => (n.hitCount ?? 0) > 0)
    .map((n): [ProfileNode, number] => [n, n.hitCount ?? 0]);
  print('self time by package', byPackage, total);
  print('inclusive time by function', inclusiveByFunction(withHits), total);
  print('self time by function', byFunction, total);
}

function summariseStalls(stallsFile: string, minMs: number): void {
  const { resolutionMs, windows } = JSON.parse(readFileSync(stallsFile, 'utf8')) as {
    resolutionMs: number;
    windows: [number, number][];
  };
  // A window is the gap between two ticks of the probe's timer; the stall is that gap less
  // the timer's interval, as the event-loop monitor reads it.
  const stalls = samplesWithin(
    profile,
    windows.filter(([start, end]) => (end - start) / 1000 - resolutionMs >= minMs),
  ).map((window) => ({ ...window, durationMs: window.durationMs - resolutionMs }));
  const sampled = stalls.reduce((sum, s) => sum + s.samples.length, 0);
  const stalledMs = stalls.reduce((sum, s) => sum + s.durationMs, 0);
  console.log(
    `stalls of ${minMs} ms or more: ${stalls.length}, ${stalledMs.toFixed(0)} ms in all, ` +
      `${sampled} samples inside them` +
      (stalls.length
        ? `; longest ${Math.max(...stalls.map((s) => s.durationMs)).toFixed(1)} ms`
        : ''),
  );
  if (sampled === 0) return;
  const hitsOf = (ids: Iterable<number>) => {
    const hits = new Map<ProfileNode, number>();
    for (const id of ids) {
      const node = nodes.get(id);
      if (node) hits.set(node, (hits.get(node) ?? 0) + 1);
    }
    return hits;
  };
  print(
    'inclusive time by function, within the stalls',
    inclusiveByFunction(hitsOf(stalls.flatMap((s) => s.samples))),
    sampled,
  );
  console.log('\nthe longest (ms after the profile started, duration, samples, top frames)');
  for (const stall of [...stalls].sort((a, b) => b.durationMs - a.durationMs).slice(0, 10)) {
    const frames = [...inclusiveByFunction(hitsOf(stall.samples))]
      .filter(([name]) => !/^\((root|program)\)/.test(name))
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([name, n]) => `${n} ${name}`);
    console.log(
      `${stall.atMs.toFixed(0).padStart(7)}  ${stall.durationMs.toFixed(1).padStart(5)} ms  ` +
        `${String(stall.samples.length).padStart(3)}  ${frames.join(' | ')}`,
    );
  }
}

if (values.stalls === undefined) summariseAll();
else {
  const minMs = Number(values.min);
  if (!(minMs > 0)) throw new Error('--min takes a number of milliseconds > 0');
  summariseStalls(values.stalls, minMs);
}
