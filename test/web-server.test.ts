import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWebServer, defaultWebRoot } from '../src/web/server.ts';

const repoDir = resolve(import.meta.dirname, '..');
const API_URL = 'https://api.example.test/api';
const APP_NAME = `Bike "Shop" <&> O'Neil`;
const EXPECTED_CSP =
  "default-src 'self';connect-src 'self' https://api.example.test;img-src 'self' data:;" +
  "style-src 'self';script-src 'self';base-uri 'none';form-action 'self';frame-ancestors 'none'";

let outDir: string;
let app: FastifyInstance;
let logLines: string[];

// Every run builds the pages afresh into its own directory, so the test never
// depends on (or races with) whatever is in dist/pages.
beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'rekey-web-'));
  await build({
    configFile: join(repoDir, 'web/vite.config.ts'),
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true },
  });
  logLines = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  app = await buildWebServer({
    root: outDir,
    apiUrl: API_URL,
    appName: APP_NAME,
    logger: { level: 'info', stream },
  });
});

afterAll(async () => {
  await app?.close();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

function expectSecurityHeaders(headers: Record<string, unknown>) {
  expect(headers['referrer-policy']).toBe('no-referrer');
  expect(headers['content-security-policy']).toBe(EXPECTED_CSP);
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['x-frame-options']).toBe('DENY');
}

function assetUrls(html: string): string[] {
  return [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1] ?? '');
}

describe('the reset page', () => {
  it('is served with no-referrer, the CSP and no caching', async () => {
    const res = await app.inject({ method: 'GET', url: '/reset-password?token=x' });

    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expectSecurityHeaders(res.headers);
  });

  it('carries the API URL and the app name, HTML-escaped, in its meta tags', async () => {
    const res = await app.inject({ method: 'GET', url: '/reset-password?token=x' });

    expect(res.body).toContain(`<meta name="rekey-api-url" content="${API_URL}" />`);
    expect(res.body).toContain(
      '<meta name="rekey-app-name" content="Bike &quot;Shop&quot; &lt;&amp;&gt; O&#x27;Neil" />',
    );
    expect(res.body).toContain('<title>Bike &quot;Shop&quot; &lt;&amp;&gt; O&#x27;Neil</title>');
    expect(res.body).not.toContain('%REKEY_');
    expect(res.body).not.toContain('<&>');
  });

  it('loads nothing inline and nothing from another origin', async () => {
    const res = await app.inject({ method: 'GET', url: '/reset-password?token=x' });

    expect(res.body).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(res.body).not.toMatch(/<style|\sstyle=/);
    expect(res.body).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
    expect(assetUrls(res.body).length).toBeGreaterThanOrEqual(2);
  });

  it('keeps the token out of the request log', async () => {
    await app.inject({ method: 'GET', url: '/reset-password?token=secret-token-value' });

    const log = logLines.join('');
    expect(log).toContain('/reset-password');
    expect(log).not.toContain('secret-token-value');
  });
});

describe('SPA fallback', () => {
  it.each([
    '/',
    '/index.html',
    '/forgot-password',
    '/login',
    '/register',
    '/account',
    '/reset-password/',
    '/no/such/page',
  ])('answers GET %s with the rendered index.html', async (url) => {
    const reference = await app.inject({ method: 'GET', url: '/login' });
    const res = await app.inject({ method: 'GET', url });

    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toBe(reference.body);
    expectSecurityHeaders(res.headers);
  });

  it('answers HEAD for a page', async () => {
    const res = await app.inject({ method: 'HEAD', url: '/forgot-password' });

    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('leaves a missing file a 404 instead of sending HTML for it', async () => {
    for (const url of ['/assets/index-missing.js', '/robots.txt', '/wp-login.php']) {
      const res = await app.inject({ method: 'GET', url });

      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toBe('text/plain; charset=utf-8');
      expectSecurityHeaders(res.headers);
    }
  });

  it('never serves scripts or source maps from outside /assets/', async () => {
    await writeFile(join(outDir, 'server.js'), 'export const secret = 1;');
    await writeFile(join(outDir, 'server.js.map'), '{}');
    for (const url of ['/server.js', '/server.js.map']) {
      const res = await app.inject({ method: 'GET', url });

      expect(res.statusCode, url).toBe(404);
      expect(res.body, url).not.toContain('secret');
    }
  });

  it('does not answer other methods with the page', async () => {
    const res = await app.inject({ method: 'POST', url: '/reset-password', payload: {} });

    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('<html');
  });
});

describe('asset caching', () => {
  it('serves hashed assets with a year-long immutable cache', async () => {
    const page = await app.inject({ method: 'GET', url: '/' });
    const urls = assetUrls(page.body);
    expect(urls.some((url) => url.endsWith('.js'))).toBe(true);
    expect(urls.some((url) => url.endsWith('.css'))).toBe(true);

    for (const url of urls) {
      const res = await app.inject({ method: 'GET', url });

      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control'], url).toBe('public, max-age=31536000, immutable');
      expect(res.headers['content-type'], url).toMatch(
        /^(text|application)\/(javascript|css); charset=utf-8$/,
      );
      expectSecurityHeaders(res.headers);
    }
  });

  it('makes browsers revalidate files whose names do not change between builds', async () => {
    const res = await app.inject({ method: 'GET', url: '/favicon.svg' });

    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(res.headers['cache-control']).toBe('public, max-age=0, must-revalidate');
  });
});

describe('buildWebServer options', () => {
  it('lets a same-origin API path connect to self only', async () => {
    const sameOrigin = await buildWebServer({ root: outDir, apiUrl: '/api', appName: 'BikeShop' });
    try {
      const res = await sameOrigin.inject({ method: 'GET', url: '/login' });

      expect(res.headers['content-security-policy']).toContain("connect-src 'self';");
      expect(res.body).toContain('<meta name="rekey-api-url" content="/api" />');
    } finally {
      await sameOrigin.close();
    }
  });

  it('refuses an API URL that is not http(s)', async () => {
    await expect(
      buildWebServer({ root: outDir, apiUrl: 'javascript:alert(1)', appName: 'BikeShop' }),
    ).rejects.toThrow(/must be http\(s\)/);
  });

  it('says how to build the pages when index.html is missing', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'rekey-web-empty-'));
    try {
      await writeFile(join(empty, 'favicon.svg'), '<svg/>');
      await expect(
        buildWebServer({ root: empty, apiUrl: API_URL, appName: 'BikeShop' }),
      ).rejects.toThrow(/npm run build:web/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('finds dist/pages at the root of the repository', () => {
    expect(defaultWebRoot()).toBe(join(repoDir, 'dist', 'pages'));
  });
});
