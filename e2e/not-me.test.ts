import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, requestResetToken, type TestService } from '../test/support/service.ts';
import { chromiumAvailable, hasFocus } from './support/browser.ts';
import { type BrowserStack, startBrowserStack } from './support/stack.ts';

const EMAIL = 'grace@example.com';
const ORIGINAL_PASSWORD = 'original passphrase 1';
const ATTACKER_PASSWORD = 'attacker chose this 7';
const INTRO =
  'If you did not change your password, we will sign everyone out, lock the account and send you a link to choose a new password.';
const BUTTON = "This wasn't me — lock my account";
const LOCKED =
  'Your account is locked and every session was signed out. We sent you an email with a link to choose a new password.';

const hasBrowser = chromiumAvailable();

let stack: BrowserStack;
let t: TestService;
let webUrl: string;
/** Every request the pages made to the "this wasn't me" endpoint, preflights included. */
const notMeRequests: Request[] = [];

const newPage = (viewport: 'desktop' | 'phone') =>
  stack.newPage(viewport, (request) => {
    if (new URL(request.url()).pathname.startsWith('/api/auth/not-me')) notMeRequests.push(request);
  });
const shoot = (page: Page, name: string) => stack.shoot(page, name);

const notMePosts = () => notMeRequests.filter((request) => request.method() === 'POST');

async function scrollsSideways(page: Page): Promise<boolean> {
  return (await page.evaluate(
    'document.documentElement.scrollWidth > window.innerWidth',
  )) as boolean;
}

/** The password-changed mail that arrives after mail number `count`, and its not-me link. */
async function notMeLinkAfter(count: number): Promise<string> {
  const mails = await t.smtp.waitForMails(count + 1);
  const mail = mails.slice(count).find((m) => m.parsed.subject?.startsWith('Your password was'));
  if (!mail) throw new Error('no password-changed mail');
  const text = mail.parsed.text ?? '';
  const link = /(http:\/\/127\.0\.0\.1:\d+\/not-me\?token=[A-Za-z0-9_-]{43})/.exec(text)?.[1];
  if (!link) throw new Error(`no not-me link in: ${text}`);
  return link;
}

describe.skipIf(!hasBrowser)('"this wasn\'t me" in Chromium', () => {
  beforeAll(async () => {
    stack = await startBrowserStack();
    ({ t, webUrl } = stack);
    await registerUser(t, { email: EMAIL, first_name: 'Grace', password: ORIGINAL_PASSWORD });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('locks the account with one click, signs everyone out and mails a fresh reset link', async () => {
    const signedIn = await t.post('/auth/login/', { email: EMAIL, password: ORIGINAL_PASSWORD });
    expect(signedIn.statusCode).toBe(200);
    const session = signedIn.body.data.token as string;

    // Someone else resets the password.
    const resetToken = await requestResetToken(t, EMAIL);
    const mailsBefore = t.smtp.mails.length;
    const reset = await t.post('/auth/reset-password/', {
      token: resetToken,
      new_password: ATTACKER_PASSWORD,
      confirm_password: ATTACKER_PASSWORD,
    });
    expect(reset.statusCode).toBe(200);
    const link = await notMeLinkAfter(mailsBefore);

    // Opening the link (as a mail scanner would) does nothing.
    const page = await newPage('desktop');
    await page.goto(link);
    await page.getByText(INTRO).waitFor();
    await page.waitForLoadState('networkidle');
    expect(notMeRequests).toEqual([]);
    await shoot(page, 'desktop-not-me');

    const mailsBeforeClick = t.smtp.mails.length;
    await page.getByRole('button', { name: BUTTON }).click();
    const success = page.getByRole('status').filter({ hasText: LOCKED });
    await success.waitFor();
    // The message takes focus, so that a screen reader reads it out.
    await expect.poll(() => success.evaluate(hasFocus)).toBe(true);
    await page.getByRole('link', { name: 'Send another reset link' }).waitFor();
    expect(
      await page.getByRole('link', { name: 'Send another reset link' }).getAttribute('href'),
    ).toBe('/forgot-password');
    expect(notMePosts()).toHaveLength(1);
    await shoot(page, 'desktop-not-me-locked');

    // The old session is gone, and the new password no longer signs in.
    const me = await t.get('/auth/me/', { authorization: `Bearer ${session}` });
    expect(me.statusCode).toBe(401);
    const blocked = await t.post('/auth/login/', { email: EMAIL, password: ATTACKER_PASSWORD });
    expect(blocked.statusCode).toBe(400);
    expect(blocked.body.data.errors).toEqual({
      non_field_errors: ['Unable to log in with provided credentials.'],
    });

    // A fresh reset link arrives.
    const mails = await t.smtp.waitForMails(mailsBeforeClick + 1);
    const fresh = mails.slice(mailsBeforeClick).at(0);
    expect(fresh?.parsed.subject).toMatch(/^Password Reset Request/);
    expect(fresh?.envelopeTo).toEqual([EMAIL]);
    expect(fresh?.parsed.text).toMatch(/\/reset-password\?token=[A-Za-z0-9_-]{43}/);
    await page.close();

    // The link works once: the second click says so, and offers a new reset link.
    const phone = await newPage('phone');
    await phone.goto(link);
    await phone.getByText(INTRO).waitFor();
    await phone.waitForLoadState('networkidle');
    expect(notMePosts()).toHaveLength(1);
    expect(await scrollsSideways(phone)).toBe(false);
    await shoot(phone, 'phone-not-me');
    await phone.getByRole('button', { name: BUTTON }).click();
    const used = phone
      .getByRole('alert')
      .filter({ hasText: 'Token has expired or already been used' });
    await used.waitFor();
    await phone.getByRole('heading', { name: 'Invalid Link' }).waitFor();
    expect(
      await phone.getByRole('link', { name: 'Request a new reset link' }).getAttribute('href'),
    ).toBe('/forgot-password');
    expect(notMePosts()).toHaveLength(2);
    expect(await scrollsSideways(phone)).toBe(false);
    await shoot(phone, 'phone-not-me-used');
    await phone.close();
  });

  it('shows a link without a token as invalid, without asking the API', async () => {
    const seen = notMeRequests.length;
    const page = await newPage('phone');
    await page.goto(`${webUrl}/not-me`);
    await page.getByRole('alert').filter({ hasText: 'This link has no token.' }).waitFor();
    await page.getByRole('link', { name: 'Request a new reset link' }).waitFor();
    expect(await page.getByRole('button', { name: BUTTON }).count()).toBe(0);
    await page.waitForLoadState('networkidle');
    expect(notMeRequests.length).toBe(seen);
    await page.close();
  });

  it('keeps the button busy while the request runs, and explains a 429', async () => {
    const page = await newPage('desktop');
    let answer: () => void = () => {};
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    // Held until the test has seen the busy button, then answered as the rate limiter would.
    await page.route('**/api/auth/not-me/', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      await answered;
      await route.fulfill({
        status: 429,
        headers: { 'Retry-After': '30', 'Access-Control-Allow-Origin': webUrl },
        contentType: 'application/json',
        body: JSON.stringify({
          status: false,
          status_code: 429,
          message: 'Too many requests',
          data: { retry_after: 30 },
        }),
      });
    });
    await page.goto(`${webUrl}/not-me?token=${'a'.repeat(43)}`);
    await page.getByRole('button', { name: BUTTON }).click();
    const busy = page.getByRole('button', { name: 'Locking your account…' });
    await busy.waitFor();
    expect(await busy.getAttribute('aria-disabled')).toBe('true');
    expect(await page.locator('form').getAttribute('aria-busy')).toBe('true');
    answer();

    await page
      .getByRole('alert')
      .filter({ hasText: 'Too many attempts, try again in 30 seconds.' })
      .waitFor();
    const button = page.getByRole('button', { name: BUTTON });
    expect(await button.getAttribute('aria-disabled')).toBe('true');
    await shoot(page, 'desktop-not-me-too-many');
    await page.close();
  });

  it('loaded nothing from another origin and leaked no token through Referer', () => {
    expect(stack.foreignRequests).toEqual([]);
    expect(stack.refererLeaks).toEqual([]);
  });
});
