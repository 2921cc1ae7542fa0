import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './support/service.ts';

let t: TestService;
beforeEach(async () => {
  t = await startTestService(
    {},
    {
      appOptions: {
        extraRoutes: (api) => {
          api.get('/boom/', async () => {
            throw new Error('SELECT secret FROM somewhere — must not reach the client');
          });
        },
      },
    },
  );
});
afterEach(async () => {
  await t.close();
});

function expectEnvelope(body: unknown, statusCode: number) {
  expect(body).toMatchObject({ status: statusCode < 300, status_code: statusCode });
  expect(typeof (body as { message: unknown }).message).toBe('string');
  expect(typeof (body as { data: unknown }).data).toBe('object');
}

describe('every response is the envelope', () => {
  it('answers an unknown route with 404', async () => {
    const response = await t.inject({ method: 'GET', url: '/api/nothing-here/' });
    expect(response.statusCode).toBe(404);
    expectEnvelope(response.json(), 404);
    expect(response.json().data.errors.non_field_errors).toEqual(['Not found.']);
  });

  it('answers a wrong method with 405 and Allow', async () => {
    const response = await t.inject({ method: 'GET', url: '/api/auth/forgot-password/' });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('POST');
    expect(response.json()).toMatchObject({
      status: false,
      status_code: 405,
      message: 'Method "GET" not allowed.',
    });
  });

  it('answers a body over the limit with 413', async () => {
    const response = await t.inject({
      method: 'POST',
      url: '/api/auth/forgot-password/',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'a@example.com', padding: 'x'.repeat(64 * 1024) }),
    });
    expect(response.statusCode).toBe(413);
    expectEnvelope(response.json(), 413);
  });

  it('answers a non-JSON content type with 415', async () => {
    for (const contentType of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const response = await t.inject({
        method: 'POST',
        url: '/api/auth/forgot-password/',
        headers: { 'content-type': contentType },
        payload: 'email=a@example.com',
      });
      expect(response.statusCode, contentType).toBe(415);
      expectEnvelope(response.json(), 415);
    }
  });

  it('answers malformed JSON with 400', async () => {
    const response = await t.inject({
      method: 'POST',
      url: '/api/auth/forgot-password/',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      status: false,
      status_code: 400,
      message: 'JSON parse error',
    });
  });

  it.each([
    ['[]', 'list'],
    ['"user@example.com"', 'str'],
    ['42', 'int'],
    ['null', 'NoneType'],
    ['true', 'bool'],
  ])('answers a JSON body %s that is not an object with 400', async (payload, typeName) => {
    const response = await t.inject({
      method: 'POST',
      url: '/api/auth/verify-reset-token/',
      headers: { 'content-type': 'application/json' },
      payload,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      status: false,
      status_code: 400,
      message: 'Invalid or expired token',
      data: {
        errors: { non_field_errors: [`Invalid data. Expected a dictionary, but got ${typeName}.`] },
      },
    });
  });

  it('rejects a prototype-poisoning body', async () => {
    const response = await t.inject({
      method: 'POST',
      url: '/api/auth/forgot-password/',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":"a@example.com","__proto__":{"admin":true}}',
    });
    expect(response.statusCode).toBe(400);
    expectEnvelope(response.json(), 400);
  });

  it('answers an unexpected failure with a generic 500 and logs the cause', async () => {
    const response = await t.inject({ method: 'GET', url: '/api/boom/' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      status: false,
      status_code: 500,
      message: 'A server error occurred.',
      data: { errors: { non_field_errors: ['A server error occurred.'] } },
    });
    expect(response.body).not.toContain('SELECT');
    expect(response.body).not.toContain('at ');
    expect(t.logs.join('')).toContain('must not reach the client');
  });

  it('treats an empty body as no fields', async () => {
    const response = await t.inject({ method: 'POST', url: '/api/auth/forgot-password/' });
    expect(response.json()).toEqual({
      status: false,
      status_code: 400,
      message: 'Invalid email address',
      data: { errors: { email: ['This field is required.'] } },
    });
  });

  it('answers with and without the final slash', async () => {
    const withSlash = await t.post('/auth/verify-reset-token/', { token: 'nope' });
    const withoutSlash = await t.post('/auth/verify-reset-token', { token: 'nope' });
    expect(withoutSlash.statusCode).toBe(400);
    expect(withoutSlash.raw).toBe(withSlash.raw);
  });
});

describe('headers', () => {
  it('marks API responses Cache-Control: no-store', async () => {
    const response = await t.post('/auth/forgot-password/', { email: 'user@example.com' });
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('admits the configured origin by CORS and no other', async () => {
    const preflight = (origin: string) =>
      t.inject({
        method: 'OPTIONS',
        url: '/api/auth/forgot-password/',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    const allowed = await preflight('http://localhost:3000');
    expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    const denied = await preflight('https://evil.example');
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS_ORIGINS', () => {
  it('admits exactly the listed origins, and no longer the frontend by default', async () => {
    const listed = await startTestService({
      FRONTEND_URL: 'https://shop.example',
      CORS_ORIGINS: 'https://app.example, https://admin.example',
    });
    try {
      const allowOrigin = async (origin: string) =>
        (
          await listed.inject({
            method: 'OPTIONS',
            url: '/api/auth/reset-password/',
            headers: { origin, 'access-control-request-method': 'POST' },
          })
        ).headers['access-control-allow-origin'];
      expect(await allowOrigin('https://app.example')).toBe('https://app.example');
      expect(await allowOrigin('https://admin.example')).toBe('https://admin.example');
      expect(await allowOrigin('https://shop.example')).toBeUndefined();
      expect(await allowOrigin('https://app.example.evil.example')).toBeUndefined();
    } finally {
      await listed.close();
    }
  });
});

describe('health', () => {
  it('reports the process up and the database reachable', async () => {
    const health = await t.inject({ method: 'GET', url: '/healthz' });
    expect(health.json()).toMatchObject({ status: true, status_code: 200 });
    const ready = await t.inject({ method: 'GET', url: '/readyz' });
    expect(ready.json()).toMatchObject({ status: true, status_code: 200 });
  });

  it('reports not ready when the database is gone', async () => {
    await t.service.database.close();
    const ready = await t.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ status: false, status_code: 503 });
    // close() would close the database again; give the harness a fresh handle to close.
    t.service.database.close = async () => {};
  });
});
