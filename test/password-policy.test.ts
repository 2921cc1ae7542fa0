import { describe, expect, it, vi } from 'vitest';
import { createArgon2idHasher } from '../src/accounts/password-hashing.ts';
import {
  MAX_PASSWORD_LENGTH,
  passwordPolicyErrors,
  quickRatio,
} from '../src/accounts/password-policy.ts';

const policy = { minLength: 8 };
const errors = (password: string, owner = {}) => passwordPolicyErrors(password, owner, policy);

describe('password policy (Django validators, same English)', () => {
  it('accepts a good password', async () => {
    expect(await errors('newpassword123')).toEqual([]);
    expect(await errors('correct horse battery')).toEqual([]);
  });

  it('reports every failing rule at once, in order', async () => {
    expect(await errors('1234')).toEqual([
      'This password is too short. It must contain at least 8 characters.',
      'This password is too common.',
      'This password is entirely numeric.',
    ]);
  });

  it('finds common passwords case-insensitively', async () => {
    expect(await errors('PassWord')).toEqual(['This password is too common.']);
    expect(await errors('qwerty123')).toEqual(['This password is too common.']);
  });

  it('finds passwords too similar to the email, first or last name', async () => {
    expect(await errors('ada.lovelace', { email: 'ada.lovelace@example.com' })).toEqual([
      'The password is too similar to the email address.',
    ]);
    expect(await errors('Wilhelmina!', { first_name: 'Wilhelmina' })).toEqual([
      'The password is too similar to the first name.',
    ]);
    expect(await errors('Babbage1871', { last_name: 'Babbage' })).toEqual([
      'The password is too similar to the last name.',
    ]);
    expect(
      await errors('totally unrelated words', { email: 'ada@example.com', first_name: 'Ada' }),
    ).toEqual([]);
  });

  it('bounds the length above, allowing at least 64 characters (NIST)', async () => {
    expect(await errors(`${'a'.repeat(64)}B9!`)).toEqual([]);
    expect(await errors('xY7!'.repeat(40))).toEqual([
      `This password is too long. It must contain at most ${MAX_PASSWORD_LENGTH} characters.`,
    ]);
  });

  it('counts characters after NFKC normalisation and never trims', async () => {
    // Eight full-width digits normalise to ASCII digits: still numeric.
    expect(await errors('１２３４５６７８')).toContain('This password is entirely numeric.');
    // Spaces count: seven letters and a space is long enough.
    expect(await errors(' abcdefg')).not.toContain(
      'This password is too short. It must contain at least 8 characters.',
    );
    // Astral characters count once each.
    expect(await errors('🔑🔑🔑🔑🔑🔑🔑')).toContain(
      'This password is too short. It must contain at least 8 characters.',
    );
  });

  it('follows the configured minimum length', async () => {
    expect(await passwordPolicyErrors('abcdefghijk', {}, { minLength: 12 })).toEqual([
      'This password is too short. It must contain at least 12 characters.',
    ]);
    expect((await passwordPolicyErrors('', {}, { minLength: 1 }))[0]).toBe(
      'This password is too short. It must contain at least 1 character.',
    );
  });

  it('builds the common-password list on first use over several turns, not in one', async () => {
    vi.resetModules();
    const { isCommonPassword } = await import('../src/accounts/common-passwords.ts');
    let turns = 0;
    let checked = false;
    const countTurn = () => {
      if (checked) return;
      turns += 1;
      setImmediate(countTurn);
    };
    setImmediate(countTurn);
    const answers = await Promise.all([isCommonPassword('Password'), isCommonPassword('x9-q')]);
    checked = true;
    expect(answers).toEqual([true, false]);
    // All at once, both checks would have answered before the event loop's next turn.
    expect(turns).toBeGreaterThan(3);
  });

  it('computes difflib quick_ratio', () => {
    expect(quickRatio('abcd', 'bcde')).toBeCloseTo(0.75);
    expect(quickRatio('', '')).toBe(1);
  });
});

describe('argon2id hashing', () => {
  const hasher = createArgon2idHasher({ memory: 1024, passes: 1, parallelism: 1 });

  it('stores a PHC string with the parameters and verifies only the right password', async () => {
    const phc = await hasher.hash('newpassword123');
    expect(phc).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await hasher.verify(phc, 'newpassword123')).toBe(true);
    expect(await hasher.verify(phc, 'newpassword124')).toBe(false);
    expect(await hasher.verify('not a hash', 'newpassword123')).toBe(false);
  });

  it('runs no more derivations at once than its concurrency; the rest wait their turn', async () => {
    const one = createArgon2idHasher({ memory: 1024, passes: 1, parallelism: 1 }, 1);
    const passwords = ['first password', 'second password', 'third password'];
    const hashes = Promise.all(passwords.map((password) => one.hash(password)));
    expect(one.load()).toEqual({ running: 1, waiting: 2 });
    const phcs = await hashes;
    expect(one.load()).toEqual({ running: 0, waiting: 0 });
    for (const [i, phc] of phcs.entries())
      expect(await one.verify(phc, passwords[i] ?? '')).toBe(true);
  });

  it('uses OWASP parameters by default', async () => {
    expect(await createArgon2idHasher().hash('x')).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('hashes the NFKC form, so the same password typed another way verifies', async () => {
    const phc = await hasher.hash('Ｐａｓｓ ｗｏｒｄ ｆｕｌｌ');
    expect(await hasher.verify(phc, 'Pass word full')).toBe(true);
    expect(await hasher.verify(phc, ' Pass word full')).toBe(false);
  });
});
