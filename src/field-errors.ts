/** Django REST Framework's shape: `{ field: ["message", …] }`; `non_field_errors` for the rest. */
export type FieldErrors = Record<string, string[]>;

export function addFieldError(errors: FieldErrors, field: string, message: string): void {
  const messages = errors[field] ?? [];
  if (!messages.includes(message)) messages.push(message);
  errors[field] = messages;
}

export function mergeFieldErrors(...sources: FieldErrors[]): FieldErrors {
  const merged: FieldErrors = {};
  for (const source of sources) {
    for (const [field, messages] of Object.entries(source)) {
      for (const message of messages) addFieldError(merged, field, message);
    }
  }
  return merged;
}

export const hasFieldErrors = (errors: FieldErrors) => Object.keys(errors).length > 0;
