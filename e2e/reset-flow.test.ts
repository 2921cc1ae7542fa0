import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, type TestService } from '../test/support/service.ts';
import { chromiumAvailable, hasFocus } from './support/browser.ts';
import { type BrowserStack, startBrowserStack, VIEWPORTS } from './support/stack.ts';

const EMAIL = 'ada@example.com';
const NEW_PASSWORD = 'velocipede sprocket 42';

const hasBrowser = chromiumAvailable();

let stack: BrowserStack;
let t: TestService;
let webUrl: string;

const newPage = (viewport: 'desktop' | 'phone') => stack.newPage(viewport);
const shoot = (page: Page, name: string) => stack.shoot(page, name);

async function latestResetLink(count: number): Promise<string> {
  const mails = await t.smtp.waitForMails(count);
  const text = mails.at(-1)?.parsed.text ?? '';
  const link = /(http:\/\/127\.0\.0\.1:\d+\/reset-password\?token=[A-Za-z0-9_-]{43})/.exec(
    text,
  )?.[1];
  if (!link) throw new Error(`no reset link in: ${text}`);
  return link;
}

describe.skipIf(!hasBrowser)('a person resets a password in Chromium', () => {
  beforeAll(async () => {
    stack = await startBrowserStack();
    ({ t, webUrl } = stack);
    await registerUser(t, { email: EMAIL, first_name: 'Ada', password: 'original passphrase 1' });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('asks for a link, fixes mistakes, resets, is sent to sign in, and signs in with the new password', async () => {
    const page = await newPage('desktop');
    await page.goto(`${webUrl}/forgot-password`);
    await shoot(page, 'desktop-forgot-password');
    await page.getByLabel('Email address').fill(EMAIL);
    await page.getByRole('button', { name: 'Send Reset Link' }).click();
    await page.getByText('You will receive a password reset link shortly.').waitFor();
    await shoot(page, 'desktop-forgot-password-sent');

    const link = await latestResetLink(1);
    await page.goto(link);
    await page.getByText('Resetting password for:').waitFor();
    expect(await page.locator('.account-email').textContent()).toBe(EMAIL);

    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Confirm new password').fill(`${NEW_PASSWORD}!`);
    await page.getByRole('button', { name: 'Reset Password' }).click();
    await page.getByText('Passwords do not match').waitFor();

    await page.getByLabel('New password', { exact: true }).fill('12345678');
    await page.getByLabel('Confirm new password').fill('12345678');
    await page.getByRole('button', { name: 'Reset Password' }).click();
    await page.getByText('This password is too common.').waitFor();
    await page.getByText('This password is entirely numeric.').waitFor();
    await shoot(page, 'desktop-reset-password-errors');

    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Reset Password' }).click();
    await page
      .getByText('Password reset successfully. You can now login with your new password.')
      .waitFor();
    await shoot(page, 'desktop-reset-password-done');
    await page.waitForURL(`${webUrl}/login`, { timeout: 10_000 });

    await page.getByLabel('Email address').fill(EMAIL);
    await page.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${webUrl}/account`);
    await page.getByText(EMAIL).first().waitFor();
    await shoot(page, 'desktop-account');

    // The link is used: opening it again shows why, and offers a new one.
    await page.goto(link);
    await page.getByText('Invalid Reset Link').waitFor();
    await page.getByText('Token has expired or already been used').waitFor();
    await page.getByRole('link', { name: 'Request a new link' }).waitFor();
    await shoot(page, 'desktop-reset-password-used');
    await page.close();
  });

  it('shows an expired link as expired', async () => {
    const before = t.smtp.mails.length;
    const page = await newPage('phone');
    await page.goto(`${webUrl}/forgot-password`);
    await page.getByLabel('Email address').fill(EMAIL);
    await page.getByRole('button', { name: 'Send Reset Link' }).click();
    await page.getByText('You will receive a password reset link shortly.').waitFor();
    await shoot(page, 'phone-forgot-password-sent');
    const link = await latestResetLink(before + 1);

    await page.goto(link);
    await page.getByText('Resetting password for:').waitFor();
    await shoot(page, 'phone-reset-password');

    t.clock.advance(t.config.resetTokenTtlSeconds * 1000);
    await page.goto(link);
    await page.getByText('Invalid Reset Link').waitFor();
    await page.getByText('Token has expired or already been used').waitFor();
    await shoot(page, 'phone-reset-password-expired');
    await page.close();
  });

  it('renders the other pages on a phone', async () => {
    const page = await newPage('phone');
    for (const path of ['login', 'register', 'forgot-password']) {
      await page.goto(`${webUrl}/${path}`);
      await page.locator('form').waitFor();
      const overflow = await page.evaluate(
        'document.documentElement.scrollWidth > window.innerWidth',
      );
      expect(overflow, `${path} scrolls sideways on a phone`).toBe(false);
      await shoot(page, `phone-${path}`);
    }
    await page.close();
  });

  it('renders the reset email as a person would see it', async () => {
    const mail = t.smtp.mails.find((m) => m.parsed.subject?.startsWith('Password Reset Request'));
    expect(mail?.parsed.html).toBeTruthy();
    for (const viewport of ['desktop', 'phone'] as const) {
      const page = await stack.browser.newPage({ viewport: VIEWPORTS[viewport] });
      await page.setContent(mail?.parsed.html || '');
      await shoot(page, `${viewport}-email-password-reset`);
      await page.close();
    }
  });

  // Spends this IP's forgot-password budget, so it runs after the tests that ask for links.
  it('moves focus to the error when asking for a link is refused as too many', async () => {
    for (let i = 0; i < 100; i += 1) {
      if ((await t.post('/auth/forgot-password/', { email: EMAIL })).statusCode === 429) break;
    }
    const page = await newPage('desktop');
    await page.goto(`${webUrl}/forgot-password`);
    await page.getByLabel('Email address').fill(EMAIL);
    await page.getByRole('button', { name: 'Send Reset Link' }).click();
    const alert = page.locator('.alert-error');
    await alert.waitFor();
    // The message takes focus, so that a screen reader reads it out.
    await expect.poll(() => alert.evaluate(hasFocus)).toBe(true);
    await page.close();
  });

  it('loaded nothing from another origin and leaked no token through Referer', () => {
    expect(stack.foreignRequests).toEqual([]);
    expect(stack.refererLeaks).toEqual([]);
  });
});
