import { writeSync } from 'node:fs';
import { startEventLoopMonitor } from '../../src/observability/event-loop.ts';

// Preloaded (`--import`) into a server under test: prints the event loop's delay when it exits.
// SIGUSR2 (sent by the bench as the load starts) starts the count afresh: loading modules at
// startup blocks the loop too, but that is the startup figure, not a stall under load.
// Sampled every 1 ms (the service's own metric: every 10 ms), so a reading is within 1 ms of
// the stall behind it.
const RESOLUTION_MS = 1;
let monitor = startEventLoopMonitor(RESOLUTION_MS);
process.on('SIGUSR2', () => {
  monitor.stop();
  monitor = startEventLoopMonitor(RESOLUTION_MS);
});
process.on('exit', () => {
  const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
  (globalThis as { gc?: () => void }).gc?.(); // with --expose-gc: live heap, not garbage
  const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
  const memory = { rss, heapTotal, heapUsed, external, arrayBuffers };
  const memoryMb = Object.fromEntries(Object.entries(memory).map(([k, v]) => [k, mb(v)]));
  writeSync(2, `event-loop ${JSON.stringify({ ...monitor.read(), memoryMb })}\n`);
});
