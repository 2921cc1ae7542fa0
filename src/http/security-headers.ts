import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Helmet's headers for `options`, computed once. @fastify/helmet builds helmet's middleware
 * again on every request (parsing the CSP directives each time); our headers never vary by
 * request, so they are worked out at startup and only copied onto each reply.
 */
export function securityHeaders(options: HelmetOptions): ReadonlyArray<readonly [string, string]> {
  const headers = new Map<string, string>();
  const response = {
    setHeader: (name: string, value: unknown) => headers.set(name, String(value)),
    removeHeader: (name: string) => headers.delete(name),
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error) => {
    if (error) throw error;
  });
  return [...headers];
}

/** Helmet's headers for `options` and `extraHeaders` on every reply, set in one pass. */
export function installSecurityHeaders(
  app: FastifyInstance,
  extraHeaders: ReadonlyArray<readonly [string, string]>,
  options: HelmetOptions,
): void {
  const headers = [...securityHeaders(options), ...extraHeaders];
  app.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of headers) reply.raw.setHeader(name, value);
    done();
  });
}
