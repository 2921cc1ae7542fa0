import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes in base64url: 43 characters, 256 bits, as in the guide's examples. */
export function createSecretToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Only SHA-256(token) is stored: the raw token lives in the email (or the client) alone,
 * so a copy of the database cannot reset a password or ride a session. The token has
 * 256 bits of entropy, so a fast hash is enough; a lookup by hash also avoids comparing
 * secrets with `===`.
 */
export function hashSecretToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
