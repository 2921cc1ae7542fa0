import { readFile } from 'node:fs/promises';
import type { Config } from '../config.ts';
import type { OutboxMessage } from '../db/schema.ts';
import type { MailKind, MailPayloads } from './outbox.ts';
import { fillMail, PRERENDERED_FILE, type PrerenderedMails } from './slots.ts';

/**
 * The templates were rendered by React Email when the code was built (`npm run build` writes
 * prerendered-mail.json next to this file; the test setup does the same beside the source):
 * sending a mail fills in its values and never loads React.
 */
let prerendered: Promise<PrerenderedMails> | undefined;
function templates(): Promise<PrerenderedMails> {
  prerendered ??= readFile(new URL(`./${PRERENDERED_FILE}`, import.meta.url), 'utf8').then(
    (json) => JSON.parse(json) as PrerenderedMails,
    (error: unknown) => {
      prerendered = undefined;
      throw new Error(`the prerendered mail templates are missing: run \`npm run build\``, {
        cause: error,
      });
    },
  );
  return prerendered;
}

export interface ComposedMail {
  subject: string;
  text: string;
  html: string;
}

/** "1 hour", "30 minutes", "2 days": the expiry as the mail says it. */
export function describeDuration(seconds: number): string {
  const units: [number, string][] = [
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, name] of units) {
    if (seconds >= size && seconds % size === 0) {
      const count = seconds / size;
      return `${count} ${name}${count === 1 ? '' : 's'}`;
    }
  }
  const minutes = Math.max(1, Math.round(seconds / 60));
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

export function resetLink(config: Pick<Config, 'frontendUrl'>, token: string): string {
  return `${config.frontendUrl}/reset-password?token=${encodeURIComponent(token)}`;
}

/**
 * Text that ends up in a header or a greeting is one line: a stored first name with a
 * CR/LF in it stays in the body as spaces instead of starting a new header or paragraph.
 * A lone surrogate (half an emoji) cannot be sent as UTF-8: it becomes U+FFFD here, as it
 * would on the wire, so the subject and both parts say the same.
 */
export function oneLine(value: string): string {
  return value
    .replace(/\p{Cs}/gu, '\uFFFD')
    .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
    .trim();
}

/** The "this wasn't me" link of the password-changed mail: one click locks the account. */
export function notMeLink(config: Pick<Config, 'frontendUrl'>, token: string): string {
  return `${config.frontendUrl}/not-me?token=${encodeURIComponent(token)}`;
}

export async function composeMail(message: OutboxMessage, config: Config): Promise<ComposedMail> {
  const kind = message.kind as MailKind;
  const appName = oneLine(config.appName);
  if (kind === 'password_reset') {
    const payload = JSON.parse(message.payload) as MailPayloads['password_reset'];
    return fillMail((await templates()).password_reset, {
      appName,
      name: oneLine(payload.name),
      resetUrl: resetLink(config, payload.token),
      expiresIn: describeDuration(config.resetTokenTtlSeconds),
    });
  }
  if (kind === 'password_changed') {
    const payload = JSON.parse(message.payload) as MailPayloads['password_changed'];
    const all = await templates();
    return fillMail(payload.notMeToken ? all.password_changed_not_me : all.password_changed, {
      appName,
      name: oneLine(payload.name),
      changedAt: new Date(payload.changedAt).toUTCString(),
      forgotPasswordUrl: `${config.frontendUrl}/forgot-password`,
      notMeUrl: payload.notMeToken ? notMeLink(config, payload.notMeToken) : undefined,
    });
  }
  throw new Error(`unknown mail kind: ${message.kind}`);
}
