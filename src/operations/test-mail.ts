import type { Config } from '../config.ts';
import type { MailTransport } from '../mail/transport.ts';

/** Sends one plain message through the configured transport: checks SMTP settings end to end. */
export async function sendTestMail(
  config: Pick<Config, 'appName' | 'mailFrom'>,
  transport: MailTransport,
  to: string,
  now: number,
): Promise<void> {
  const when = new Date(now).toUTCString();
  await transport.send({
    from: config.mailFrom,
    to,
    subject: `Test email - ${config.appName}`,
    text: `This is a test email from ${config.appName} (Rekey), sent on ${when}.\nIf you can read it, mail delivery works.\n`,
    html: `<p>This is a test email from ${config.appName} (Rekey), sent on ${when}.</p><p>If you can read it, mail delivery works.</p>`,
  });
}
