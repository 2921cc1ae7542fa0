import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './support/service.ts';

/**
 * Whatever a client sends, the answer is an envelope with a 4xx (or a 2xx when the input
 * happens to be valid), never a 5xx, and the service keeps answering.
 */
const ROUTES = [
  '/api/auth/forgot-password/',
  '/api/auth/verify-reset-token/',
  '/api/auth/reset-password/',
  '/api/auth/register/',
  '/api/auth/login/',
  '/api/auth/me/',
  '/api/auth/logout/',
];
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

const route = fc.constantFrom(...ROUTES);
const method = fc.constantFrom(...METHODS);
/**
 * The path the service is asked for: inject, like a browser or curl, resolves `.` and `..`
 * segments first (`/api/%/..` arrives as `/api/`).
 */
const resolved = (path: string) => new URL(path, 'http://localhost').pathname;
const KNOWN_PATHS = [...ROUTES, '/api/auth/not-me/', '/api/openapi.json'].map((path) =>
  path.replace(/\/$/, ''),
);
/** Paths under /api/ that resolve to no route (trailing slashes do not matter to the router). */
const unknownPath = fc
  .array(fc.stringMatching(/^[A-Za-z0-9._~%-]{0,12}$/), { minLength: 0, maxLength: 4 })
  .map((parts) => `/api/${parts.join('/')}`)
  .filter((path) => {
    const seen = resolved(path);
    return (
      seen.startsWith('/api/') &&
      !seen.startsWith('/api/docs') &&
      !KNOWN_PATHS.includes(seen.replace(/\/$/, ''))
    );
  });

const headerText = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map(String.fromCharCode),
});
const contentType = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'APPLICATION/JSON',
    'application/json;charset=latin1',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/vnd.api+json',
    'application/json; boundary',
    '',
  ),
  headerText,
);
const authorization = fc.oneof(
  fc.constant('Bearer '),
  fc.constant('Bearer'),
  fc.constant('bearer abc'),
  headerText.map((value) => `Bearer ${value}`),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,200}$/).map((value) => `Bearer ${value}`),
  headerText.map((value) => `Basic ${value}`),
  headerText,
);
const headers = fc.record(
  { 'content-type': contentType, authorization, origin: headerText, accept: headerText },
  { requiredKeys: [] },
);

const decodes = (path: string) => {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
};

let t: TestService;

beforeAll(async () => {
  t = await startTestService({ RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'silent' });
});

afterAll(async () => {
  await t.close();
});

async function expectEnvelope(request: {
  method: (typeof METHODS)[number];
  url: string;
  payload?: string | Buffer;
  headers?: Record<string, string>;
}) {
  const response = await t.inject(request);
  expect(response.statusCode, `${request.method} ${request.url} → ${response.body}`).toBeLessThan(
    500,
  );
  expect(response.statusCode).toBeGreaterThanOrEqual(200);
  const body = response.json();
  expect(body).toEqual({
    status: response.statusCode >= 200 && response.statusCode < 300,
    status_code: response.statusCode,
    message: expect.any(String),
    data: expect.any(Object),
  });
  expect(Array.isArray(body.data)).toBe(false);
  return response;
}

describe('any input gets an envelope, never a 5xx', () => {
  it('answers any JSON value as a body on every route and method', async () => {
    await fc.assert(
      fc.asyncProperty(method, route, fc.jsonValue(), async (m, url, value) => {
        await expectEnvelope({
          method: m,
          url,
          payload: JSON.stringify(value),
          headers: { 'content-type': 'application/json' },
        });
      }),
      { numRuns: 150 },
    );
  });

  it('answers objects with the routes’ own field names holding any JSON value', async () => {
    const fields = fc.record(
      {
        email: fc.oneof(fc.jsonValue(), fc.emailAddress()),
        token: fc.jsonValue(),
        password: fc.jsonValue(),
        new_password: fc.jsonValue(),
        confirm_password: fc.jsonValue(),
        first_name: fc.jsonValue(),
        last_name: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(route, fields, async (url, body) => {
        await expectEnvelope({
          method: 'POST',
          url,
          payload: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        });
      }),
      { numRuns: 150 },
    );
  });

  it('answers any byte string under any content type', async () => {
    await fc.assert(
      fc.asyncProperty(
        method.filter((m) => m !== 'GET'),
        route,
        fc.uint8Array({ maxLength: 300 }),
        contentType,
        async (m, url, bytes, type) => {
          await expectEnvelope({
            method: m,
            url,
            payload: Buffer.from(bytes),
            headers: type === '' ? {} : { 'content-type': type },
          });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('answers any mix of headers, odd authorization included', async () => {
    await fc.assert(
      fc.asyncProperty(method, route, headers, fc.jsonValue(), async (m, url, h, value) => {
        await expectEnvelope({
          method: m,
          url,
          payload: m === 'GET' ? undefined : JSON.stringify(value),
          headers: h,
        });
      }),
      { numRuns: 150 },
    );
  });

  it('answers unknown paths with any method as a 404 or 405 envelope', async () => {
    await fc.assert(
      fc.asyncProperty(method, unknownPath, async (m, url) => {
        const response = await expectEnvelope({ method: m, url });
        expect(decodes(resolved(url)) ? [404, 405] : [400]).toContain(response.statusCode);
      }),
      { numRuns: 100 },
    );
  });

  it('answers a URL that does not decode (found by the property above) with a 400 envelope', async () => {
    const response = await expectEnvelope({ method: 'GET', url: '/api/%' });
    expect(response.statusCode).toBe(400);
    expect(response.json().data).toEqual({ errors: { non_field_errors: ['Invalid request'] } });
  });

  it('is still healthy after all of it', async () => {
    const response = await t.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
  });
});
