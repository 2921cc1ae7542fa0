import type { FieldErrors } from '../api.ts';

/** Messages of fields that the form does not show next to an input. */
export function formLevelErrors(errors: FieldErrors, shownFields: string[]): string[] {
  return Object.entries(errors)
    .filter(([field]) => !shownFields.includes(field))
    .flatMap(([, messages]) => messages ?? []);
}

/** The errors minus one field's: its messages go once the user edits it. */
export function withoutField(errors: FieldErrors, field: string): FieldErrors {
  if (errors[field] === undefined) return errors;
  const { [field]: _edited, ...rest } = errors;
  return rest;
}
