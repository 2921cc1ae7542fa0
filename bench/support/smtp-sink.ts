import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface BenchSink {
  url: string;
  /** Every message accepted, raw (headers and body as sent). */
  messages: string[];
  /** Refuses every message with 421 until set back, as an outage would. */
  setAvailable(available: boolean): void;
  close(): Promise<void>;
}

/** A bare SMTP server for benches: no auth, no TLS, no logging. */
export const BENCH_SMTP_OPTIONS = {
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  // The reverse lookup of 127.0.0.1 costs tens of ms per connection here; it is no part of Rekey.
  disableReverseLookup: true,
  logger: false,
} satisfies SMTPServerOptions;

/** An SMTP server on loopback that keeps what it accepts; no parsing, so it stays cheap. */
export async function startBenchSink(): Promise<BenchSink> {
  const messages: string[] = [];
  let available = true;
  const server = new SMTPServer({
    ...BENCH_SMTP_OPTIONS,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (!available) {
          return callback(Object.assign(new Error('Service not available'), { responseCode: 421 }));
        }
        messages.push(Buffer.concat(chunks).toString('utf8'));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    setAvailable(value) {
      available = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
