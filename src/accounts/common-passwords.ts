import { dictionary } from '@zxcvbn-ts/language-common';

/** The maintained list of ~49k common passwords that zxcvbn-ts ships, lower-cased. */
let commonPasswords: Set<string> | undefined;

export function isCommonPassword(password: string): boolean {
  commonPasswords ??= new Set(dictionary['passwords-common'].map((entry) => entry.toLowerCase()));
  return commonPasswords.has(password.toLowerCase().trim());
}
