import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { waitFor } from './wait.ts';

export interface ReceivedMail {
  envelopeTo: string[];
  envelopeFrom: string;
  /** The user the client authenticated as, if it did. */
  user: string | undefined;
  /** Whether the connection was TLS (implicit, or upgraded with STARTTLS). */
  secure: boolean;
  raw: string;
  parsed: ParsedMail;
}

export interface SmtpSink {
  url: string;
  port: number;
  mails: ReceivedMail[];
  /** Messages whose data has arrived but which are not acknowledged yet (see delayMs, hold). */
  inFlight(): number;
  /** The most messages that were in flight at once. */
  mostInFlight(): number;
  /** With `hold`: acknowledges every message held so far. */
  releaseHeld(): void;
  /** Makes the server refuse every message (421) until set back, as an outage would. */
  setAvailable(available: boolean): void;
  waitForMails(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export interface SmtpSinkOptions {
  delayMs?: number;
  /**
   * Keeps each message's final reply until releaseHeld(), as a distant relay answers a round
   * trip later, but at the test's word instead of a timer's.
   */
  hold?: boolean;
  /** Require AUTH with these credentials. */
  auth?: { user: string; pass: string };
  /** A certificate: offered with STARTTLS, or from the first byte when `secure`. */
  tls?: { key: string; cert: string };
  secure?: boolean;
}

/** A real SMTP server (the smtp-server package) on port 0, keeping what it receives. */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const mails: ReceivedMail[] = [];
  let available = true;
  let inFlight = 0;
  let mostInFlight = 0;
  const held: (() => void)[] = [];
  const { auth, tls } = options;
  const server = new SMTPServer({
    authOptional: !auth,
    disabledCommands: tls ? [] : ['STARTTLS'],
    ...(tls ? { key: tls.key, cert: tls.cert, secure: options.secure ?? false } : {}),
    logger: false,
    onAuth(credentials, _session, callback) {
      if (auth && credentials.username === auth.user && credentials.password === auth.pass) {
        return callback(null, { user: credentials.username });
      }
      return callback(Object.assign(new Error('Invalid credentials'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', async () => {
        if (!available) {
          const error = Object.assign(new Error('Service not available'), { responseCode: 421 });
          return callback(error);
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const parsed = await simpleParser(raw);
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        if (options.hold) {
          // releaseHeld() counts it out at once, so the test sees the next ones arrive.
          await new Promise<void>((resolve) => held.push(resolve));
        } else {
          if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
          inFlight -= 1;
        }
        mails.push({
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          user: typeof session.user === 'string' ? session.user : undefined,
          secure: session.secure,
          raw,
          parsed,
        });
        callback();
      });
    },
  });
  // A client that drops the connection (a refused certificate, a killed process) is expected here.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `${options.secure ? 'smtps' : 'smtp'}://127.0.0.1:${port}`,
    port,
    mails,
    inFlight: () => inFlight,
    mostInFlight: () => mostInFlight,
    releaseHeld() {
      for (const release of held.splice(0)) {
        inFlight -= 1;
        release();
      }
    },
    setAvailable(value) {
      available = value;
    },
    waitForMails: (count, timeoutMs = 10_000) =>
      waitFor(() => mails.length >= count && mails, { timeoutMs, what: `${count} mail(s)` }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The reset token in a received mail's plain-text link. */
export function tokenFromMail(mail: ReceivedMail): string {
  const match = /reset-password\?token=([A-Za-z0-9_-]{43})/.exec(mail.parsed.text ?? '');
  if (!match?.[1]) throw new Error('no reset link in the mail');
  return match[1];
}
