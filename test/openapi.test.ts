import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  registerUser,
  requestResetToken,
  startTestService,
  type TestService,
} from './support/service.ts';

let t: TestService;
let doc: {
  openapi: string;
  paths: Record<
    string,
    Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>
  >;
};
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });

beforeAll(async () => {
  t = await startTestService();
  const response = await t.inject({ method: 'GET', url: '/api/openapi.json' });
  expect(response.statusCode).toBe(200);
  doc = response.json();
  ajv.addSchema(doc, 'openapi.json');
});
afterAll(async () => {
  await t.close();
});

/** Fastify's printRoutes tree ("├── /api/auth/me (GET, HEAD)") → full paths and methods. */
function registeredRoutes(tree: string): { path: string; methods: string[] }[] {
  const stack: string[] = [];
  const routes: { path: string; methods: string[] }[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/u.exec(line);
    if (!match) continue;
    const depth = (match[1] ?? '').length / 4;
    stack.length = depth;
    stack.push(match[2] ?? '');
    if (match[3]) routes.push({ path: stack.join(''), methods: match[3].split(', ') });
  }
  return routes;
}

const pointer = (...parts: string[]) =>
  parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

function validatorFor(path: string, where: 'request' | number) {
  const base = `openapi.json#/paths/${pointer(path, 'post')}`;
  const ref =
    where === 'request'
      ? `${base}/requestBody/content/application~1json/schema`
      : `${base}/responses/${where}/content/application~1json/schema`;
  return ajv.compile({ $ref: ref });
}

function expectValid(path: string, where: 'request' | number, value: unknown) {
  const validate = validatorFor(path, where);
  const valid = validate(value);
  expect(validate.errors ?? [], `${path} ${where}: ${JSON.stringify(value)}`).toEqual([]);
  expect(valid).toBe(true);
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 and documents every route registered under /api', () => {
    expect(doc.openapi).toBe('3.1.0');
    const tree = t.service.api.printRoutes({ commonPrefix: false });
    const apiRoutes = registeredRoutes(tree).filter(
      (route) =>
        route.path.startsWith('/api/') &&
        !route.path.startsWith('/api/docs') &&
        route.path !== '/api/openapi.json',
    );
    expect(apiRoutes.length).toBeGreaterThanOrEqual(8);
    const documented = new Map(
      Object.entries(doc.paths).map(([path, item]) => [path.replace(/\/$/, ''), item]),
    );
    for (const route of apiRoutes) {
      const item = documented.get(route.path.replace(/\/$/, ''));
      expect(item, `${route.path} is documented`).toBeDefined();
      for (const method of route.methods.filter((m) => m !== 'HEAD')) {
        expect(item?.[method.toLowerCase()], `${method} ${route.path}`).toBeDefined();
      }
    }
  });

  it('documents the request bodies the guide sends', () => {
    expectValid('/api/auth/forgot-password/', 'request', { email: 'user@example.com' });
    expectValid('/api/auth/verify-reset-token/', 'request', {
      token: 'KZJxvZ8h9QzE9RqN0LHm8FYwGN-7Tqk9xN8yLQp-F3M',
    });
    expectValid('/api/auth/reset-password/', 'request', {
      token: 'KZJxvZ8h9QzE9RqN0LHm8FYwGN-7Tqk9xN8yLQp-F3M',
      new_password: 'newpassword123',
      confirm_password: 'newpassword123',
    });
    const validate = validatorFor('/api/auth/reset-password/', 'request');
    expect(validate({ token: 'x' })).toBe(false);
  });

  it("accepts the guide's success and error responses, and rejects a wrong envelope", () => {
    const fail = (message: string, errors: Record<string, string[]>) => ({
      status: false,
      status_code: 400,
      message,
      data: { errors },
    });
    expectValid('/api/auth/forgot-password/', 200, {
      status: true,
      status_code: 200,
      message: 'You will receive a password reset link shortly.',
      data: {},
    });
    expectValid(
      '/api/auth/forgot-password/',
      400,
      fail('Invalid email address', { email: ['Enter a valid email address.'] }),
    );
    expectValid('/api/auth/verify-reset-token/', 200, {
      status: true,
      status_code: 200,
      message: 'Token is valid',
      data: { valid: true, email: 'user@example.com' },
    });
    expectValid(
      '/api/auth/verify-reset-token/',
      400,
      fail('Invalid or expired token', { token: ['Invalid token'] }),
    );
    expectValid(
      '/api/auth/verify-reset-token/',
      400,
      fail('Invalid or expired token', { token: ['Token has expired or already been used'] }),
    );
    expectValid('/api/auth/reset-password/', 200, {
      status: true,
      status_code: 200,
      message: 'Password reset successfully. You can now login with your new password.',
      data: { email: 'user@example.com' },
    });
    expectValid(
      '/api/auth/reset-password/',
      400,
      fail('Password reset failed', { confirm_password: ['Passwords do not match'] }),
    );
    expectValid(
      '/api/auth/reset-password/',
      400,
      fail('Password reset failed', { token: ['Invalid token'] }),
    );
    expectValid(
      '/api/auth/reset-password/',
      400,
      fail('Password reset failed', {
        new_password: ['This password is too short. It must contain at least 8 characters.'],
      }),
    );

    const success = validatorFor('/api/auth/verify-reset-token/', 200);
    expect(success({ status: true, status_code: 200, message: 'Token is valid', data: {} })).toBe(
      false,
    );
    const error = validatorFor('/api/auth/verify-reset-token/', 400);
    expect(error({ status: false, status_code: 400, message: 'x', data: { errors: 'no' } })).toBe(
      false,
    );
  });

  it('describes what the service really answers', async () => {
    await registerUser(t, { email: 'doc@example.com' });
    const token = await requestResetToken(t, 'doc@example.com');
    const answers: [string, unknown][] = [
      ['/auth/forgot-password/', { email: 'nobody@example.com' }],
      ['/auth/forgot-password/', { email: 'not an address' }],
      ['/auth/verify-reset-token/', { token }],
      ['/auth/verify-reset-token/', { token: 'nope' }],
      ['/auth/reset-password/', { token, new_password: 'short', confirm_password: 'other' }],
      [
        '/auth/reset-password/',
        { token, new_password: 'a fine new one', confirm_password: 'a fine new one' },
      ],
      ['/auth/not-me/', { token: 'nope' }],
    ];
    for (const [path, body] of answers) {
      const response = await t.post(path, body);
      expectValid(`/api${path}`, response.statusCode, response.body);
    }
  });

  it('serves Swagger UI with its own CSP while the API keeps the strict one', async () => {
    const ui = await t.inject({ method: 'GET', url: '/api/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger-ui');
    const uiPolicy = String(ui.headers['content-security-policy']);
    expect(uiPolicy).toContain("style-src 'self' 'unsafe-inline'");
    expect(uiPolicy).not.toMatch(/https?:/);
    const api = await t.post('/auth/forgot-password/', { email: 'user@example.com' });
    expect(api.headers['content-security-policy']).toContain("default-src 'none'");
  });
});
