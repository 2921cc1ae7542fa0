import type { Config } from '../config.ts';
import type { OutboxMessage } from '../db/schema.ts';
import type { MailKind, MailPayloads } from './outbox.ts';

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

/** The "this wasn't me" link of the password-changed mail: one click locks the account. */
export function notMeLink(config: Pick<Config, 'frontendUrl'>, token: string): string {
  return `${config.frontendUrl}/not-me?token=${encodeURIComponent(token)}`;
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function composeMail(message: OutboxMessage, config: Config): Promise<ComposedMail> {
  const kind = message.kind as MailKind;
  if (kind === 'password_reset') {
    const payload = JSON.parse(message.payload) as MailPayloads['password_reset'];
    const link = resetLink(config, payload.token);
    const expiry = describeDuration(config.resetTokenTtlSeconds);
    const text = [
      `Hi ${payload.name},`,
      '',
      `We received a request to reset the password of your ${config.appName} account.`,
      'Open this link to choose a new password:',
      '',
      link,
      '',
      `The link expires in ${expiry} and works once.`,
      'If you did not ask for this, ignore this email: your password stays the same.',
      '',
      `— ${config.appName}`,
    ].join('\n');
    const html = `<p>Hi ${escapeHtml(payload.name)},</p><p><a href="${escapeHtml(link)}">Reset password</a></p><p>${escapeHtml(link)}</p><p>The link expires in ${expiry}.</p>`;
    return { subject: `Password Reset Request - ${config.appName}`, text, html };
  }
  if (kind === 'password_changed') {
    const payload = JSON.parse(message.payload) as MailPayloads['password_changed'];
    const notMeUrl = payload.notMeToken ? notMeLink(config, payload.notMeToken) : undefined;
    const when = new Date(payload.changedAt).toUTCString();
    const text = [
      `Hi ${payload.name},`,
      '',
      `The password of your ${config.appName} account was changed on ${when}.`,
      'Every session was signed out.',
      ...(notMeUrl
        ? [
            '',
            'If this was not you, open this link: it signs everyone out, locks the account and',
            'sends you a fresh link to choose a new password.',
            '',
            notMeUrl,
          ]
        : [`If this was not you, reset your password now: ${config.frontendUrl}/forgot-password`]),
      '',
      `— ${config.appName}`,
    ].join('\n');
    const notMeHtml = notMeUrl
      ? `<p>If this was not you: <a href="${escapeHtml(notMeUrl)}">This wasn't me</a></p><p>${escapeHtml(notMeUrl)}</p>`
      : '';
    const html = `<p>Hi ${escapeHtml(payload.name)},</p><p>Your password was changed on ${escapeHtml(when)}.</p>${notMeHtml}`;
    return { subject: `Your password was changed - ${config.appName}`, text, html };
  }
  throw new Error(`unknown mail kind: ${message.kind}`);
}
