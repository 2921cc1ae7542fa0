import type { FastifyReply } from 'fastify';
import type { FieldErrors } from '../field-errors.ts';

/** The one shape of every response: `status` is true exactly when the HTTP status is 2xx. */
export interface Envelope<D = Record<string, unknown>> {
  status: boolean;
  status_code: number;
  message: string;
  data: D;
}

export function envelope<D>(statusCode: number, message: string, data: D): Envelope<D> {
  return { status: statusCode >= 200 && statusCode < 300, status_code: statusCode, message, data };
}

export function sendEnvelope(
  reply: FastifyReply,
  statusCode: number,
  message: string,
  data: object = {},
) {
  return reply.code(statusCode).send(envelope(statusCode, message, data));
}

export function sendFieldErrors(
  reply: FastifyReply,
  statusCode: number,
  message: string,
  errors: FieldErrors,
) {
  return sendEnvelope(reply, statusCode, message, { errors });
}
