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

/** SMTP through nodemailer: `smtp://host:port` (STARTTLS when offered) or `smtps://user:pass@host:465`. */
export function createSmtpTransport(url: string): MailTransport {
  // Pooled: the worker's messages reuse open connections. A fresh connection per message pays
  // the server's greeting delay every time (smtp-server waits 100 ms, Postfix's postscreen
  // longer), which capped delivery near 9 mails/s; pooled, a message costs a few ms.
  const transporter = nodemailer.createTransport({ url, pool: true });
  return {
    async send(mail) {
      await transporter.sendMail({ ...mail, disableFileAccess: true, disableUrlAccess: true });
    },
    close: () => transporter.close(),
  };
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
