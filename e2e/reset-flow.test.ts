import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWebServer, defaultWebRoot } from '../src/web/server.ts';
import { freePort } from '../test/support/process.ts';
import { registerUser, startTestService, type TestService } from '../test/support/service.ts';
import { chromiumAvailable, launchChromium } from './support/browser.ts';

/** Screenshots of every page and of the reset email, at desktop and phone widths. */
export const SCREENSHOT_DIR = resolve(import.meta.dirname, '..', 'artifacts', 'screenshots');
const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;
const EMAIL = 'ada@example.com';
const NEW_PASSWORD = 'velocipede sprocket 42';

const hasBrowser = chromiumAvailable();

let t: TestService;
let web: FastifyInstance;
let browser: Browser;
let webUrl: string;
let apiOrigin: string;
const foreignRequests: string[] = [];
const refererLeaks: string[] = [];

async function newPage(viewport: keyof typeof VIEWPORTS): Promise<Page> {
  const page = await browser.newPage({ viewport: VIEWPORTS[viewport] });
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin !== webUrl && url.origin !== apiOrigin && url.protocol !== 'data:') {
      foreignRequests.push(request.url());
    }
    if (request.headers().referer?.includes('token=')) refererLeaks.push(request.url());
  });
  return page;
}

async function shoot(page: Page, name: string) {
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

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
    const root = defaultWebRoot();
    if (!existsSync(join(root, 'index.html')))
      throw new Error('pages not built: run `npm run build` (npm test does)');
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const webPort = await freePort();
    webUrl = `http://127.0.0.1:${webPort}`;
    t = await startTestService(
      { FRONTEND_URL: webUrl, RATE_LIMIT_ENABLED: 'true', RESET_ACCOUNT_COOLDOWN: '0' },
      { workerOptions: { pollIntervalMs: 50 } },
    );
    t.service.worker.start();
    const apiAddress = await t.service.api.listen({ port: 0, host: '127.0.0.1' });
    apiOrigin = new URL(apiAddress).origin;
    web = await buildWebServer({
      root,
      apiUrl: `${apiAddress}/api`,
      appName: 'BikeShop',
      logger: false,
    });
    await web.listen({ port: webPort, host: '127.0.0.1' });
    browser = await launchChromium();
    await registerUser(t, { email: EMAIL, first_name: 'Ada', password: 'original passphrase 1' });
  });

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await t?.close();
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
      const page = await browser.newPage({ viewport: VIEWPORTS[viewport] });
      await page.setContent(mail?.parsed.html || '');
      await shoot(page, `${viewport}-email-password-reset`);
      await page.close();
    }
  });

  it('loaded nothing from another origin and leaked no token through Referer', () => {
    expect(foreignRequests).toEqual([]);
    expect(refererLeaks).toEqual([]);
  });
});
