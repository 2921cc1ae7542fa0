import { describe, expect, it } from 'vitest';
import { emailKey, parseEmail } from '../src/accounts/email.ts';

describe('email addresses', () => {
  it.each([
    'user@example.com',
    'first.last+tag@sub.example.co.uk',
    'üser@exämple.de',
    'a@localhost',
    'x@xn--bcher-kva.ch',
  ])('accepts %s', (email) => {
    expect(parseEmail(email)).toBe(email);
  });

  it.each([
    ['plain'],
    ['@example.com'],
    ['user@'],
    ['user@example'],
    ['user@@example.com'],
    ['us er@example.com'],
    ['.user@example.com'],
    ['user.@example.com'],
    ['user@-example.com'],
    ['user@example.com\r\nBcc: victim@example.com'],
    ['user@example.com\n'],
    ['user\u0000@example.com'],
    [`${'a'.repeat(65)}@example.com`],
    [`user@${'a'.repeat(250)}.com`],
  ])('rejects %j', (email) => {
    expect(parseEmail(email)).toBeNull();
  });

  it.each([[['user@example.com']], [{ email: 'user@example.com' }], [42], [true]])(
    'rejects the non-string %j',
    (value) => {
      expect(parseEmail(value)).toBeNull();
    },
  );

  it('trims surrounding spaces only', () => {
    expect(parseEmail('  user@example.com ')).toBe('user@example.com');
  });

  it('keys addresses by NFKC and lower case', () => {
    expect(emailKey('Mike@Example.COM')).toBe('mike@example.com');
    expect(emailKey('ｍｉｋｅ@example.com')).toBe('mike@example.com');
  });

  it('never maps a homograph onto another address (CVE-2019-19844)', () => {
    expect(emailKey('mıke@example.com')).not.toBe(emailKey('mike@example.com'));
    expect(emailKey('MİKE@example.com')).not.toBe(emailKey('mike@example.com'));
  });
});
