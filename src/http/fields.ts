import { z } from 'zod';
import { parseEmail } from '../accounts/email.ts';
import type { FieldErrors } from '../field-errors.ts';
import { FIELD_MESSAGES, MESSAGES } from '../messages.ts';

/**
 * Request fields with Django REST Framework's messages. Missing and null both read
 * "This field is required."; any other wrong type gets the field's own message.
 */
const requiredOr =
  (message: string) =>
  (issue: { input?: unknown }): string =>
    issue.input === undefined || issue.input === null ? FIELD_MESSAGES.required : message;

export const emailField = z
  .string({ error: requiredOr(FIELD_MESSAGES.invalidEmail) })
  .refine((value) => value.trim() !== '', { error: FIELD_MESSAGES.required })
  .transform((value, context) => {
    const email = parseEmail(value);
    if (email === null) {
      context.addIssue({ code: 'custom', message: FIELD_MESSAGES.invalidEmail });
      return z.NEVER;
    }
    return email;
  })
  .meta({ format: 'email', example: 'user@example.com' });

export const tokenField = z
  .string({ error: requiredOr(FIELD_MESSAGES.invalidToken) })
  .min(1, { error: FIELD_MESSAGES.required })
  .max(512, { error: FIELD_MESSAGES.invalidToken })
  .meta({ example: 'KZJxvZ8h9QzE9RqN0LHm8FYwGN-7Tqk9xN8yLQp-F3M' });

/** Never trimmed: a password is exactly what was typed (NFKC-normalised later). */
export const passwordField = z
  .string({ error: requiredOr(FIELD_MESSAGES.notAString) })
  .min(1, { error: FIELD_MESSAGES.required })
  .max(4096, { error: FIELD_MESSAGES.tooLong(4096) });

export const nameField = z
  .string({ error: FIELD_MESSAGES.notAString })
  .max(150, { error: FIELD_MESSAGES.tooLong(150) })
  .transform((value) => value.trim())
  .optional()
  .default('');

function describeType(value: unknown): string {
  if (value === null) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return typeof value;
}

/** A JSON body must be an object; the message names what came instead, as DRF does. */
export function bodyObject<T extends z.core.$ZodLooseShape>(shape: T) {
  return z.object(shape, { error: (issue) => MESSAGES.notAnObject(describeType(issue.input)) });
}

/** Fastify's validation errors (from the zod compiler) → `{ field: [messages] }`. */
export function fieldErrorsFromValidation(
  validation: ReadonlyArray<{ instancePath: string; message?: string }>,
): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of validation) {
    const field = issue.instancePath.split('/').filter(Boolean)[0] ?? 'non_field_errors';
    const message = issue.message ?? MESSAGES.invalidRequest;
    const messages = errors[field] ?? [];
    if (!messages.includes(message)) messages.push(message);
    errors[field] = messages;
  }
  return errors;
}
