import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('configuration', () => {
  it('has the contract defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8000,
      host: '127.0.0.1',
      webPort: 3000,
      publicApiUrl: 'http://localhost:8000/api',
      databaseUrl: 'sqlite:data/rekey.db',
      smtpUrl: undefined,
      mailFrom: 'BikeShop <no-reply@bikeshop.local>',
      appName: 'BikeShop',
      frontendUrl: 'http://localhost:3000',
      resetTokenTtlSeconds: 3600,
      rateLimitEnabled: true,
      registrationEnabled: true,
      trustProxy: false,
      corsOrigins: ['http://localhost:3000'],
      passwordMinLength: 8,
      logLevel: 'info',
      threadPoolNice: 10,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '0.0.0.0',
      WEB_PORT: '0',
      PUBLIC_API_URL: 'https://api.shop.example/api/',
      DATABASE_URL: 'postgres://rekey@db/rekey',
      SMTP_URL: 'smtps://user:pass@mail.example:465',
      SMTP_TLS_CA_FILE: '/etc/ssl/relay-ca.pem',
      MAIL_FROM: 'Shop <no-reply@shop.example>',
      APP_NAME: 'Shop',
      FRONTEND_URL: 'https://shop.example/',
      RESET_TOKEN_TTL: '900',
      RATE_LIMIT_ENABLED: 'false',
      REGISTRATION_ENABLED: 'no',
      TRUST_PROXY: '1',
      CORS_ORIGINS: 'https://shop.example, https://admin.shop.example/',
      PASSWORD_MIN_LENGTH: '12',
      LOG_LEVEL: 'warn',
      THREAD_POOL_NICE: '0',
    });
    expect(config).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      webPort: 0,
      publicApiUrl: 'https://api.shop.example/api',
      databaseUrl: 'postgres://rekey@db/rekey',
      smtpUrl: 'smtps://user:pass@mail.example:465',
      smtpTlsCaFile: '/etc/ssl/relay-ca.pem',
      appName: 'Shop',
      frontendUrl: 'https://shop.example',
      resetTokenTtlSeconds: 900,
      rateLimitEnabled: false,
      registrationEnabled: false,
      trustProxy: true,
      corsOrigins: ['https://shop.example', 'https://admin.shop.example'],
      passwordMinLength: 12,
      logLevel: 'warn',
      threadPoolNice: 0,
    });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['WEB_PORT', '-1'],
    ['PUBLIC_API_URL', 'not a url'],
    ['DATABASE_URL', 'mysql://x'],
    ['SMTP_URL', 'http://mail.example'],
    ['MAIL_FROM', 'nobody'],
    ['FRONTEND_URL', 'javascript:alert(1)'],
    ['RESET_TOKEN_TTL', '10'],
    ['RATE_LIMIT_ENABLED', 'maybe'],
    ['REGISTRATION_ENABLED', '2'],
    ['TRUST_PROXY', 'sure'],
    ['CORS_ORIGINS', 'ftp://x'],
    ['PASSWORD_MIN_LENGTH', '0'],
    ['LOG_LEVEL', 'loud'],
    ['THREAD_POOL_NICE', '20'],
    ['THREAD_POOL_NICE', '-1'],
  ])('stops on a bad %s (%s) with one line naming it', (variable, value) => {
    let error: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message.startsWith(`${variable}: `)).toBe(true);
    expect(message).not.toContain('\n');
  });
});
