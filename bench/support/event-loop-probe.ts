import { mkdirSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { startEventLoopMonitor } from '../../src/observability/event-loop.ts';

// Preloaded (`--import`) into a server under test: prints the event loop's delay when it exits.
// SIGUSR2 (sent by the bench as the load starts) starts the count afresh: loading modules at
// startup blocks the loop too, but that is the startup figure, not a stall under load.
// Sampled every 1 ms (the service's own metric: every 10 ms), so a reading is within 1 ms of
// the stall behind it.
const RESOLUTION_MS = 1;
let monitor = startEventLoopMonitor(RESOLUTION_MS);
const stalls = recordStalls(process.env.REKEY_BENCH_STALL_DIR);
process.on('SIGUSR2', () => {
  monitor.stop();
  monitor = startEventLoopMonitor(RESOLUTION_MS);
  stalls?.clear();
});
process.on('exit', () => {
  const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
  (globalThis as { gc?: () => void }).gc?.(); // with --expose-gc: live heap, not garbage
  const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
  const memory = { rss, heapTotal, heapUsed, external, arrayBuffers };
  const memoryMb = Object.fromEntries(Object.entries(memory).map(([k, v]) => [k, mb(v)]));
  stalls?.write();
  writeSync(2, `event-loop ${JSON.stringify({ ...monitor.read(), memoryMb })}\n`);
});

/**
 * With `REKEY_BENCH_STALL_DIR` (the bench's `--profile`), also keeps when each stall of 5 ms
 * or more happened and writes them to `<dir>/stalls.<pid>.json` at exit, so
 * `bench/profile-summary.ts --stalls` can say what the samples inside them were doing. A
 * stall is read as the monitor reads it: the gap between two ticks of a timer every
 * `resolutionMs`, less that interval. Each window is the whole gap, [start, end] in
 * microseconds of the monotonic clock V8's CPU profiles use.
 */
function recordStalls(directory: string | undefined) {
  if (!directory) return null;
  const MIN_STALL_US = 5_000;
  const RESOLUTION_US = RESOLUTION_MS * 1000;
  const nowUs = () => Number(process.hrtime.bigint() / 1000n);
  let windows: [number, number][] = [];
  let lastTickUs = nowUs();
  setInterval(() => {
    const tickUs = nowUs();
    if (tickUs - lastTickUs - RESOLUTION_US >= MIN_STALL_US) windows.push([lastTickUs, tickUs]);
    lastTickUs = tickUs;
  }, RESOLUTION_MS).unref();
  return {
    clear: () => {
      windows = [];
    },
    write: () => {
      // `--env REKEY_BENCH_STALL_DIR=<dir>` may name a directory nobody has made yet.
      mkdirSync(directory, { recursive: true });
      writeFileSync(
        join(directory, `stalls.${process.pid}.json`),
        JSON.stringify({ resolutionMs: RESOLUTION_MS, windows }),
      );
    },
  };
}
