import { z } from 'zod';

/**
 * Response envelopes for the OpenAPI document. They document, they do not filter: the
 * app serialises replies with JSON.stringify (see app.ts), so a schema here can never drop
 * a field from a response.
 */
export function successEnvelope<T extends z.ZodType>(data: T, example: string) {
  return z.object({
    status: z.literal(true),
    status_code: z.number().int().min(200).max(299),
    message: z.string().meta({ example }),
    data,
  });
}

export const FieldErrorsSchema = z
  .record(z.string(), z.array(z.string()))
  .meta({ description: '`{ field: [messages] }`; `non_field_errors` for the rest' });

export const ErrorEnvelope = z
  .object({
    status: z.literal(false),
    status_code: z.number().int().min(400).max(599),
    message: z.string(),
    data: z.object({ errors: FieldErrorsSchema }),
  })
  .meta({ id: 'ErrorEnvelope' });

export const EmptyData = z.object({}).strict();

export const PublicUserSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    first_name: z.string(),
    last_name: z.string(),
  })
  .meta({ id: 'User' });

/** The error answers every route can give (validation, throttling, failures). */
export const COMMON_ERRORS = {
  400: ErrorEnvelope,
  404: ErrorEnvelope,
  405: ErrorEnvelope,
  413: ErrorEnvelope,
  415: ErrorEnvelope,
  429: ErrorEnvelope,
  500: ErrorEnvelope,
} as const;
