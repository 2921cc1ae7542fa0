import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setUserActive } from '../src/accounts/users.ts';
import {
  DEFAULT_PASSWORD,
  registerUser,
  startTestService,
  type TestService,
} from './support/service.ts';

let t: TestService;
beforeEach(async () => {
  t = await startTestService({ RATE_LIMIT_ENABLED: 'false' });
});
afterEach(async () => {
  await t.close();
});

describe('register', () => {
  it('creates an account and returns the user', async () => {
    const response = await t.post('/auth/register/', {
      email: 'ada@example.com',
      password: DEFAULT_PASSWORD,
      first_name: ' Ada ',
      last_name: 'Lovelace',
    });
    expect(response.statusCode).toBe(201);
    expect(response.body).toMatchObject({
      status: true,
      status_code: 201,
      data: { user: { email: 'ada@example.com', first_name: 'Ada', last_name: 'Lovelace' } },
    });
    expect(response.body.data.user).toHaveProperty('id');
    expect(response.raw).not.toContain('password');
  });

  it('refuses a second account for the same address, whatever its case', async () => {
    await registerUser(t, { email: 'ada@example.com' });
    const response = await t.post('/auth/register/', {
      email: 'ADA@example.com',
      password: DEFAULT_PASSWORD,
    });
    expect(response.statusCode).toBe(400);
    expect(response.body.data.errors).toEqual({
      email: ['A user with that email already exists.'],
    });
  });

  it('applies the password policy, including similarity to the new account', async () => {
    const response = await t.post('/auth/register/', {
      email: 'grace.hopper@example.com',
      password: 'gracehopper',
      first_name: 'Grace',
    });
    expect(response.body.data.errors?.password).toEqual([
      'The password is too similar to the email address.',
    ]);
    const missing = await t.post('/auth/register/', {});
    expect(missing.body.data.errors).toEqual({
      email: ['This field is required.'],
      password: ['This field is required.'],
    });
  });

  it('can be switched off', async () => {
    const closed = await startTestService({ REGISTRATION_ENABLED: 'false' });
    try {
      const response = await closed.post('/auth/register/', {
        email: 'ada@example.com',
        password: DEFAULT_PASSWORD,
      });
      expect(response.statusCode).toBe(403);
      expect(response.body).toMatchObject({ status: false, status_code: 403 });
    } finally {
      await closed.close();
    }
  });
});

describe('login, me, logout', () => {
  it('signs in, shows the user, and signs out', async () => {
    const user = await registerUser(t, { email: 'ada@example.com', first_name: 'Ada' });
    const login = await t.post('/auth/login/', {
      email: 'Ada@Example.com',
      password: DEFAULT_PASSWORD,
    });
    expect(login.statusCode).toBe(200);
    const token = login.body.data.token as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(login.body.data.user).toEqual({
      id: user.id,
      email: 'ada@example.com',
      first_name: 'Ada',
      last_name: '',
    });

    const me = await t.get('/auth/me/', { authorization: `Bearer ${token}` });
    expect(me.body).toMatchObject({
      status: true,
      status_code: 200,
      data: { user: { id: user.id } },
    });

    const logout = await t.post('/auth/logout/', {}, { authorization: `Bearer ${token}` });
    expect(logout.statusCode).toBe(200);
    expect((await t.get('/auth/me/', { authorization: `Bearer ${token}` })).statusCode).toBe(401);
  });

  it('refuses wrong passwords, unknown and inactive accounts with one message', async () => {
    const user = await registerUser(t, { email: 'ada@example.com' });
    const wrong = await t.post('/auth/login/', {
      email: 'ada@example.com',
      password: 'wrong password',
    });
    const unknown = await t.post('/auth/login/', {
      email: 'nobody@example.com',
      password: DEFAULT_PASSWORD,
    });
    await setUserActive(t.service.deps.db, user.id, false, t.clock.now());
    const inactive = await t.post('/auth/login/', {
      email: 'ada@example.com',
      password: DEFAULT_PASSWORD,
    });
    for (const response of [wrong, unknown, inactive]) {
      expect(response.body).toEqual({
        status: false,
        status_code: 400,
        message: 'Login failed',
        data: { errors: { non_field_errors: ['Unable to log in with provided credentials.'] } },
      });
    }
  });

  it('answers 401 in the envelope without or with a bad token', async () => {
    const missing = await t.get('/auth/me/');
    expect(missing.statusCode).toBe(401);
    expect(missing.body.message).toBe('Authentication credentials were not provided.');
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    for (const header of ['Bearer nope', 'Basic abc', 'Bearer ', `Bearer ${'a'.repeat(500)}`]) {
      const response = await t.get('/auth/me/', { authorization: header });
      expect(response.statusCode, header).toBe(401);
      expect(response.body.message).toBe('Invalid token.');
    }
    expect((await t.post('/auth/logout/', {})).statusCode).toBe(401);
  });

  it('expires sessions after SESSION_TTL', async () => {
    await registerUser(t, { email: 'ada@example.com' });
    const login = await t.post('/auth/login/', {
      email: 'ada@example.com',
      password: DEFAULT_PASSWORD,
    });
    t.clock.advance(14 * 24 * 3600 * 1000);
    expect(
      (await t.get('/auth/me/', { authorization: `Bearer ${login.body.data.token}` })).statusCode,
    ).toBe(401);
  });

  it('keeps only the hash of a session token', async () => {
    await registerUser(t, { email: 'ada@example.com' });
    const login = await t.post('/auth/login/', {
      email: 'ada@example.com',
      password: DEFAULT_PASSWORD,
    });
    const rows = await t.service.deps.db.selectFrom('sessions').select('token_hash').execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_hash).not.toContain(login.body.data.token as string);
    expect(rows[0]?.token_hash).toMatch(/^[0-9a-f]{64}$/);
  });
});
