import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export interface SmtpOptions {
  /** PEM file with CAs to trust besides the system's (a private relay, a test server). */
  caFile?: string | undefined;
}

/**
 * SMTP through nodemailer: `smtp://host:port` (STARTTLS when the server offers it),
 * `smtps://user:pass@host:465` (TLS from the first byte); credentials come from the URL,
 * percent-encoded. Certificates are always verified; `caFile` adds a CA to trust, and
 * nodemailer's own URL options (`?tls.servername=…`) still apply.
 */
export function createSmtpTransport(url: string, options: SmtpOptions = {}): MailTransport {
  const tls = options.caFile ? { ca: readCaFile(options.caFile) } : undefined;
  const transporter = nodemailer.createTransport({ url, ...(tls ? { tls } : {}) });
  return {
    async send(mail) {
      await transporter.sendMail({ ...mail, disableFileAccess: true, disableUrlAccess: true });
    },
    close: () => transporter.close(),
  };
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
