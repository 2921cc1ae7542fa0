import { randomUUID } from 'node:crypto';
import type { Deps } from '../deps.ts';
import type { FieldErrors } from '../field-errors.ts';
import { FIELD_MESSAGES } from '../messages.ts';
import { emailKey } from './email.ts';
import { passwordPolicyErrors } from './password-policy.ts';
import { findUserByEmailKey, insertUser, type PublicUser, toPublicUser } from './users.ts';

export interface RegisterInput {
  email: string;
  password: string;
  firstName: string;
  lastName: string;
}

export type RegisterResult = { ok: true; user: PublicUser } | { ok: false; errors: FieldErrors };

export async function registerUser(
  deps: Pick<Deps, 'db' | 'clock' | 'hasher' | 'config'>,
  input: RegisterInput,
): Promise<RegisterResult> {
  const key = emailKey(input.email);
  const errors: FieldErrors = {};
  if (await findUserByEmailKey(deps.db, key)) errors.email = [FIELD_MESSAGES.emailTaken];
  const owner = { email: input.email, first_name: input.firstName, last_name: input.lastName };
  const policy = await passwordPolicyErrors(input.password, owner, {
    minLength: deps.config.passwordMinLength,
  });
  if (policy.length > 0) errors.password = policy;
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const now = deps.clock.now();
  const user = {
    id: randomUUID(),
    email: input.email,
    email_key: key,
    password_hash: await deps.hasher.hash(input.password),
    first_name: input.firstName,
    last_name: input.lastName,
    is_active: 1,
    locked_at: null,
    created_at: now,
    updated_at: now,
  };
  try {
    await insertUser(deps.db, user);
  } catch (error) {
    // Two registrations raced past the check above; the unique index decided.
    if (await findUserByEmailKey(deps.db, key))
      return { ok: false, errors: { email: [FIELD_MESSAGES.emailTaken] } };
    throw error;
  }
  return { ok: true, user: toPublicUser(user) };
}
