import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { BENCH_SMTP_OPTIONS } from './smtp-sink.ts';

/**
 * An SMTP relay for bench/mail-delivery.ts, in a process of its own: it reads each message
 * and answers its data `REPLY_DELAY_MS` later, as a distant relay answers a round trip (and
 * its own checks) later. Prints its URL on the first line of standard output.
 */
const replyDelayMs = Number(process.env.REPLY_DELAY_MS ?? 0);
const server = new SMTPServer({
  ...BENCH_SMTP_OPTIONS,
  onData(stream, _session, callback) {
    stream.resume();
    stream.on('end', () => (replyDelayMs > 0 ? setTimeout(callback, replyDelayMs) : callback()));
  },
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.server.address() as AddressInfo;
  process.stdout.write(`smtp://127.0.0.1:${port}\n`);
});
