import { writeSync } from 'node:fs';
import { startEventLoopMonitor } from '../../src/observability/event-loop.ts';

// Preloaded (`--import`) into a server under test: prints the event loop's delay when it exits.
const monitor = startEventLoopMonitor();
process.on('exit', () => {
  writeSync(2, `event-loop ${JSON.stringify(monitor.read())}\n`);
});
