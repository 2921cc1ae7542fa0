import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page, Request } from 'playwright-core';
import { buildWebServer, defaultWebRoot } from '../../src/web/server.ts';
import { freePort } from '../../test/support/process.ts';
import { startTestService, type TestService } from '../../test/support/service.ts';
import { launchChromium } from './browser.ts';

/** Screenshots of every page and of the emails, at desktop and phone widths. */
export const SCREENSHOT_DIR = resolve(import.meta.dirname, '..', '..', 'artifacts', 'screenshots');
export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

export interface BrowserStack {
  t: TestService;
  browser: Browser;
  webUrl: string;
  apiOrigin: string;
  /** Requests to any origin but the pages' and the API's. */
  foreignRequests: string[];
  /** Requests whose Referer carried a token. */
  refererLeaks: string[];
  newPage(viewport: keyof typeof VIEWPORTS, onRequest?: (request: Request) => void): Promise<Page>;
  shoot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The whole product as a person meets it: the API (with its worker and a real SMTP
 * server) on port 0, the built pages on their own port, and headless Chromium.
 */
export async function startBrowserStack(): Promise<BrowserStack> {
  const root = defaultWebRoot();
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error('pages not built: run `npm run build` (npm test does)');
  }
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const webPort = await freePort();
  const webUrl = `http://127.0.0.1:${webPort}`;
  const t = await startTestService(
    { FRONTEND_URL: webUrl, RATE_LIMIT_ENABLED: 'true', RESET_ACCOUNT_COOLDOWN: '0' },
    { workerOptions: { pollIntervalMs: 50 } },
  );
  t.service.worker.start();
  const apiAddress = await t.service.api.listen({ port: 0, host: '127.0.0.1' });
  const apiOrigin = new URL(apiAddress).origin;
  const web: FastifyInstance = await buildWebServer({
    root,
    apiUrl: `${apiAddress}/api`,
    appName: 'BikeShop',
    logger: false,
  });
  await web.listen({ port: webPort, host: '127.0.0.1' });
  const browser = await launchChromium();
  const foreignRequests: string[] = [];
  const refererLeaks: string[] = [];
  return {
    t,
    browser,
    webUrl,
    apiOrigin,
    foreignRequests,
    refererLeaks,
    async newPage(viewport, onRequest) {
      const page = await browser.newPage({ viewport: VIEWPORTS[viewport] });
      page.on('request', (request) => {
        onRequest?.(request);
        const url = new URL(request.url());
        if (url.origin !== webUrl && url.origin !== apiOrigin && url.protocol !== 'data:') {
          foreignRequests.push(request.url());
        }
        if (request.headers().referer?.includes('token=')) refererLeaks.push(request.url());
      });
      return page;
    },
    async shoot(page, name) {
      await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
    },
    async close() {
      await browser.close();
      await web.close();
      await t.close();
    },
  };
}
