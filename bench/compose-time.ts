import { join, resolve } from 'node:path';
import nodemailer from 'nodemailer';
import { outboxRow } from '../test/support/fixtures.ts';
import { builtModules } from './support/built.ts';
import { ROOT } from './support/server.ts';
import { percentile } from './support/stats.ts';

/**
 * Time to compose one reset mail with the built compose module: the first call (which loads
 * whatever the module loads lazily) and the median of many after it. Then the size of the
 * message nodemailer makes of it, and the median time nodemailer takes to build that MIME
 * message (no network: its stream transport, buffered).
 *
 *   node bench/compose-time.ts [path/to/dist] [runs]   (default dist, 2000 runs)
 */
const dist = resolve(process.argv[2] ?? join(ROOT, 'dist'));
const runs = Number(process.argv[3] ?? 2000);
const load = builtModules(dist);
const { loadConfig } = await load('config.js');
const { composeMail } = await load('mail/compose.js');
const config = loadConfig({});
const message = (i: number) =>
  outboxRow('password_reset', {
    token: `token-${i}-KZJxvZ8h9QzE9RqN0LHm8FYwGN`,
    name: 'Ada',
    expiresAt: 0,
  });

let started = performance.now();
await composeMail(message(0), config);
const firstMs = performance.now() - started;
const times: number[] = [];
for (let i = 1; i <= runs; i++) {
  started = performance.now();
  await composeMail(message(i), config);
  times.push(performance.now() - started);
}
console.log(`${dist}/mail/compose.js, ${runs} runs`);
console.log(`first call: ${firstMs.toFixed(1)} ms`);
console.log(
  `median: ${percentile(times, 0.5).toFixed(3)} ms   p99: ${percentile(times, 0.99).toFixed(3)} ms   max: ${percentile(times, 1).toFixed(3)} ms`,
);

const mime = nodemailer.createTransport({
  streamTransport: true,
  buffer: true,
  newline: 'windows',
});
const mail = {
  from: config.mailFrom,
  to: 'ada@example.com',
  ...(await composeMail(message(0), config)),
};
const built = await mime.sendMail(mail);
const builds: number[] = [];
for (let i = 0; i < runs; i++) {
  started = performance.now();
  await mime.sendMail(mail);
  builds.push(performance.now() - started);
}
console.log(
  `MIME message: ${Buffer.byteLength(built.message as Buffer)} bytes, built by nodemailer in ${percentile(builds, 0.5).toFixed(3)} ms (median)`,
);
