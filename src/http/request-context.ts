import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../audit/audit-log.ts';

/** The client as the audit trail records it (the IP honours TRUST_PROXY through Fastify). */
export function requestContext(request: FastifyRequest): RequestContext {
  return { clientIp: request.ip, userAgent: request.headers['user-agent'] ?? '' };
}
