import { readFileSync } from 'node:fs';
import nodemailer, { type Transporter } from 'nodemailer';

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface SendOptions {
  /**
   * Aborts the send, which then fails. A caller that passes one bounds the send with it and
   * the transport adds no timeout of its own (the worker's signal already ends a send by
   * `sendTimeoutMs`); without one the transport gives up after `sendTimeoutMs`.
   */
  signal?: AbortSignal;
}

export interface MailTransport {
  send(mail: OutgoingMail, options?: SendOptions): Promise<void>;
  close(): void;
  /** How long one send may take at most; unset for a transport that cannot hang. */
  readonly sendTimeoutMs?: number;
  /**
   * How many sends may run at once, each on a connection of its own; unset means one at a
   * time. The worker never has more in flight, so no send waits in the transport's queue
   * while its deadline runs.
   */
  readonly maxConcurrentSends?: number;
}

export interface SmtpOptions {
  /** PEM file with CAs to trust besides the system's (a private relay, a test server). */
  caFile?: string | undefined;
  /**
   * A whole send (connect, TLS, auth, data) gives up after this long and counts as a failed
   * attempt. The worker also ends a send where its lease on the message ends (less a
   * margin), so a second worker never takes a message over while the first still sends it.
   */
  sendTimeoutMs?: number;
}

export const SMTP_SEND_TIMEOUT_MS = 30_000;

/**
 * SMTP through nodemailer: `smtp://host:port` (STARTTLS when the server offers it),
 * `smtps://user:pass@host:465` (TLS from the first byte); credentials come from the URL,
 * percent-encoded. Certificates are always verified; `caFile` adds a CA to trust, and
 * nodemailer's own URL options (`?tls.servername=…`) still apply.
 */
export function createSmtpTransport(url: string, options: SmtpOptions = {}): MailTransport {
  const tls = options.caFile ? { ca: readCaFile(options.caFile) } : undefined;
  const sendTimeoutMs = options.sendTimeoutMs ?? SMTP_SEND_TIMEOUT_MS;
  const transporter = nodemailer.createTransport({
    url,
    // nodemailer's defaults (2 min to connect, 10 min of silence) outlast the lease.
    connectionTimeout: Math.min(10_000, sendTimeoutMs),
    greetingTimeout: Math.min(10_000, sendTimeoutMs),
    socketTimeout: sendTimeoutMs,
    // Pooled: messages reuse open connections. A fresh connection per message pays the
    // server's greeting delay every time (smtp-server waits 100 ms, Postfix's postscreen
    // longer), which capped delivery near 9 mails/s; pooled, a message costs a few ms.
    pool: true,
    // One connection unless SMTP_URL says `?maxConnections=N` (its query wins over these
    // options). The worker sends as many mails at once as the pool has connections, and
    // next to the API in one process (npm start) sends in flight take event-loop time from
    // the answers: under a forgot-password flood five at once delivered 4–5 times the mail
    // and cost a tenth of the answers. A worker process of its own can use more.
    maxConnections: 1,
    ...(tls ? { tls } : {}),
  });
  return {
    maxConcurrentSends: poolSize(transporter),
    async send(mail, options = {}) {
      await transporter.sendMail({
        ...mail,
        disableFileAccess: true,
        disableUrlAccess: true,
        // nodemailer aborts a send on this signal (closing the connection that carries it);
        // @types/nodemailer does not list it yet.
        ...({ signal: options.signal ?? AbortSignal.timeout(sendTimeoutMs) } as object),
      });
    },
    close: () => transporter.close(),
    sendTimeoutMs,
  };
}

function poolSize(transporter: Transporter): number {
  const { options } = transporter.transporter as { options?: { maxConnections?: unknown } };
  const size = Number(options?.maxConnections);
  return Number.isInteger(size) && size > 0 ? size : 1;
}

function readCaFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`SMTP_TLS_CA_FILE: cannot read ${path} (${reason})`);
  }
}

/**
 * Development: prints the message (headers and the text part, which holds the link) to
 * standard output. This is the mail channel, not the log, which never carries tokens.
 */
export function createConsoleTransport(
  write: (chunk: string) => void = (chunk) => process.stdout.write(chunk),
): MailTransport {
  return {
    async send(mail) {
      const rule = '-'.repeat(72);
      write(
        [
          rule,
          `From: ${mail.from}`,
          `To: ${mail.to}`,
          `Subject: ${mail.subject}`,
          `Date: ${new Date().toUTCString()}`,
          '',
          mail.text.trimEnd(),
          '',
          `(an HTML part of ${Buffer.byteLength(mail.html)} bytes goes with it)`,
          rule,
          '',
        ].join('\n'),
      );
    },
    close: () => {},
  };
}
