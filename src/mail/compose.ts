import type { ReactElement } from 'react';
import { createElement } from 'react';
import type { Config } from '../config.ts';
import type { OutboxMessage } from '../db/schema.ts';
import type { MailKind, MailPayloads } from './outbox.ts';

/**
 * The templates pull in React Email's whole component set (a few hundred ms to load), which
 * only the mail worker needs: they load with the first mail, so the API starts without them.
 */
const loadTemplates = async () => ({
  ...(await import('@react-email/render')),
  ...(await import('./templates/password-reset-email.tsx')),
  ...(await import('./templates/password-changed-email.tsx')),
});

/** Loads the templates ahead of the first mail, so that mail does not stall the event loop. */
export async function preloadMailTemplates(): Promise<void> {
  await loadTemplates();
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
 */
export function oneLine(value: string): string {
  return value.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ').trim();
}

async function renderBoth(element: ReactElement): Promise<{ html: string; text: string }> {
  const { render, toPlainText } = await loadTemplates();
  const html = await render(element);
  return { html, text: toPlainText(html).replace(/\n{3,}/g, '\n\n') };
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
    const { PasswordResetEmail, passwordResetSubject } = await loadTemplates();
    const element = createElement(PasswordResetEmail, {
      appName,
      name: oneLine(payload.name),
      resetUrl: resetLink(config, payload.token),
      expiresIn: describeDuration(config.resetTokenTtlSeconds),
    });
    return { subject: passwordResetSubject(appName), ...(await renderBoth(element)) };
  }
  if (kind === 'password_changed') {
    const payload = JSON.parse(message.payload) as MailPayloads['password_changed'];
    const { PasswordChangedEmail, passwordChangedSubject } = await loadTemplates();
    const element = createElement(PasswordChangedEmail, {
      appName,
      name: oneLine(payload.name),
      changedAt: new Date(payload.changedAt).toUTCString(),
      forgotPasswordUrl: `${config.frontendUrl}/forgot-password`,
      notMeUrl: payload.notMeToken ? notMeLink(config, payload.notMeToken) : undefined,
    });
    return { subject: passwordChangedSubject(appName), ...(await renderBoth(element)) };
  }
  throw new Error(`unknown mail kind: ${message.kind}`);
}
