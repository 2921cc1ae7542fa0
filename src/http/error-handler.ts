import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { MESSAGES } from '../messages.ts';
import { sendFieldErrors } from './envelope.ts';
import { fieldErrorsFromValidation } from './fields.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The envelope's message when this route's input fails validation. */
    failureMessage?: string;
  }
}

interface ThrottledError {
  statusCode: 429;
  retryAfterSeconds: number;
}

const isThrottled = (error: unknown): error is ThrottledError =>
  typeof error === 'object' &&
  error !== null &&
  (error as { statusCode?: unknown }).statusCode === 429;

const CLIENT_ERRORS: Record<
  string,
  { status: number; message: (error: FastifyError, contentType: string) => string }
> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    message: (_e, type) => MESSAGES.unsupportedMediaType(type),
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, message: () => MESSAGES.invalidRequest },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, message: () => MESSAGES.bodyTooLarge },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, message: () => MESSAGES.malformedJson },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, message: () => MESSAGES.malformedJson },
};

/**
 * Errors Fastify raises before routing (a URL that does not decode, such as `/api/%`) skip
 * the error handler; this gives them the envelope too. Passed as Fastify's `frameworkErrors`.
 */
export function frameworkErrorHandler(
  error: FastifyError,
  _request: unknown,
  reply: Parameters<typeof sendFieldErrors>[0],
) {
  const status =
    error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500
      ? error.statusCode
      : 400;
  return sendFieldErrors(reply, status, MESSAGES.invalidRequest, {
    non_field_errors: [MESSAGES.invalidRequest],
  });
}

/**
 * Every failure becomes an envelope: the one place errors are mapped to HTTP. A 500 says
 * nothing about its cause to the client; the log has it, under the request id.
 */
export function installErrorHandlers(app: FastifyInstance): void {
  const methodsByPath = new Map<string, Set<string>>();
  const normalise = (url: string) => (url.split('?')[0] ?? '').replace(/\/+$/, '') || '/';
  app.addHook('onRoute', (route) => {
    const methods = methodsByPath.get(normalise(route.url)) ?? new Set<string>();
    for (const method of [route.method].flat()) methods.add(method);
    methodsByPath.set(normalise(route.url), methods);
  });

  app.setNotFoundHandler((request, reply) => {
    const allowed = methodsByPath.get(normalise(request.url));
    if (allowed && !allowed.has(request.method)) {
      reply.header('Allow', [...allowed].filter((m) => m !== 'HEAD').join(', '));
      return sendFieldErrors(reply, 405, MESSAGES.methodNotAllowed(request.method), {
        non_field_errors: [MESSAGES.methodNotAllowed(request.method)],
      });
    }
    return sendFieldErrors(reply, 404, MESSAGES.notFound, {
      non_field_errors: [MESSAGES.notFound],
    });
  });

  app.setErrorHandler((error: FastifyError | ThrottledError, request, reply) => {
    if (isThrottled(error)) {
      reply.header('Retry-After', String(error.retryAfterSeconds));
      return sendFieldErrors(reply, 429, MESSAGES.tooManyRequests, {
        non_field_errors: [MESSAGES.throttledDetail(error.retryAfterSeconds)],
      });
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const message = request.routeOptions.config.failureMessage ?? MESSAGES.invalidRequest;
      return sendFieldErrors(reply, 400, message, fieldErrorsFromValidation(error.validation));
    }
    const known = error.code ? CLIENT_ERRORS[error.code] : undefined;
    if (known) {
      const contentType = String(request.headers['content-type'] ?? '').split(';')[0] ?? '';
      const message = known.message(error, contentType);
      const detail = known.status === 400 ? MESSAGES.malformedJsonDetail : message;
      return sendFieldErrors(reply, known.status, message, { non_field_errors: [detail] });
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      request.log.info({ code: error.code }, 'client error');
      return sendFieldErrors(reply, error.statusCode, MESSAGES.invalidRequest, {
        non_field_errors: [MESSAGES.invalidRequest],
      });
    }
    request.log.error({ err: error }, 'unexpected error');
    return sendFieldErrors(reply, 500, MESSAGES.serverError, {
      non_field_errors: [MESSAGES.serverError],
    });
  });
}
