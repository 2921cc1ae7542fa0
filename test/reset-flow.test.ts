import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachDatabase, type TestDatabase } from './support/databases.ts';
import {
  DEFAULT_PASSWORD,
  registerUser,
  requestResetToken,
  startTestService,
  type TestService,
} from './support/service.ts';

describeEachDatabase('the guide flow end to end', (target) => {
  let t: TestService;
  let database: TestDatabase;
  beforeEach(async () => {
    database = await target.create();
    t = await startTestService({}, { databaseUrl: database.url });
  });
  afterEach(async () => {
    await t.close();
    await database.drop();
  });

  it('registers, logs in, resets by email, and only the new password and new sessions work', async () => {
    await registerUser(t, { email: 'user@example.com', first_name: 'Ada' });
    const login = await t.post('/auth/login/', {
      email: 'user@example.com',
      password: DEFAULT_PASSWORD,
    });
    expect(login.statusCode).toBe(200);
    const oldSession = login.body.data.token as string;

    const token = await requestResetToken(t, 'user@example.com');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const verify = await t.post('/auth/verify-reset-token/', { token });
    expect(verify.body).toEqual({
      status: true,
      status_code: 200,
      message: 'Token is valid',
      data: { valid: true, email: 'user@example.com' },
    });

    const reset = await t.post('/auth/reset-password/', {
      token,
      new_password: 'newpassword123',
      confirm_password: 'newpassword123',
    });
    expect(reset.body).toEqual({
      status: true,
      status_code: 200,
      message: 'Password reset successfully. You can now login with your new password.',
      data: { email: 'user@example.com' },
    });

    const me = await t.get('/auth/me/', { authorization: `Bearer ${oldSession}` });
    expect(me.statusCode).toBe(401);
    const oldPassword = await t.post('/auth/login/', {
      email: 'user@example.com',
      password: DEFAULT_PASSWORD,
    });
    expect(oldPassword.statusCode).toBe(400);
    const newPassword = await t.post('/auth/login/', {
      email: 'user@example.com',
      password: 'newpassword123',
    });
    expect(newPassword.statusCode).toBe(200);
  });
});
