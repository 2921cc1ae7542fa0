import { isCommonPassword } from './common-passwords.ts';

/**
 * Django's default password validators, with their English messages, plus an upper
 * bound (NIST SP 800-63B asks to allow at least 64 characters). Every failing rule is
 * reported, in the contract's order. Lengths count code points after NFKC, and the
 * password is never trimmed.
 */
export const MAX_PASSWORD_LENGTH = 128;

export interface PolicyOptions {
  minLength: number;
}

export interface PasswordOwner {
  email?: string | undefined;
  first_name?: string | undefined;
  last_name?: string | undefined;
}

const SIMILARITY_ATTRIBUTES = [
  ['email', 'email address'],
  ['first_name', 'first name'],
  ['last_name', 'last name'],
] as const;
const MAX_SIMILARITY = 0.7;

export async function passwordPolicyErrors(
  password: string,
  owner: PasswordOwner,
  options: PolicyOptions,
): Promise<string[]> {
  const normalised = password.normalize('NFKC');
  const length = [...normalised].length;
  const errors: string[] = [];
  if (length < options.minLength) {
    const unit = options.minLength === 1 ? 'character' : 'characters';
    errors.push(
      `This password is too short. It must contain at least ${options.minLength} ${unit}.`,
    );
  }
  if (await isCommonPassword(normalised)) errors.push('This password is too common.');
  if (/^\p{Nd}+$/u.test(normalised)) errors.push('This password is entirely numeric.');
  const similar = similarAttribute(normalised, owner);
  if (similar) errors.push(`The password is too similar to the ${similar}.`);
  if (length > MAX_PASSWORD_LENGTH) {
    errors.push(
      `This password is too long. It must contain at most ${MAX_PASSWORD_LENGTH} characters.`,
    );
  }
  return errors;
}

/** Django's UserAttributeSimilarityValidator: the whole value and each \W-split part. */
function similarAttribute(password: string, owner: PasswordOwner): string | undefined {
  const lowered = password.toLowerCase();
  for (const [attribute, verboseName] of SIMILARITY_ATTRIBUTES) {
    const value = owner[attribute];
    if (!value) continue;
    const valueLower = value.toLowerCase();
    const parts = [...valueLower.split(/[^\p{L}\p{N}_]+/u), valueLower];
    for (const part of parts) {
      if (exceedsMaximumLengthRatio(lowered, part)) continue;
      if (quickRatio(lowered, part) >= MAX_SIMILARITY) return verboseName;
    }
  }
  return undefined;
}

function exceedsMaximumLengthRatio(password: string, value: string): boolean {
  const passwordLength = [...password].length;
  const valueLength = [...value].length;
  return passwordLength >= 10 * valueLength && valueLength < (MAX_SIMILARITY / 2) * passwordLength;
}

/** Python's difflib.SequenceMatcher.quick_ratio: shared characters as a multiset. */
export function quickRatio(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  const total = left.length + right.length;
  if (total === 0) return 1;
  const available = new Map<string, number>();
  for (const char of right) available.set(char, (available.get(char) ?? 0) + 1);
  let matches = 0;
  for (const char of left) {
    const count = available.get(char) ?? 0;
    if (count > 0) {
      available.set(char, count - 1);
      matches += 1;
    }
  }
  return (2 * matches) / total;
}
