import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Config, RateLimitedRoute } from '../config.ts';
import type { Deps } from '../deps.ts';
import { createDatabaseRateLimitStore } from './rate-limit-store.ts';

/**
 * Per client IP, at the edge. Per-account limits live in the domain, where they are
 * silent; these answer 429 with Retry-After. RATE_LIMIT_ENABLED=false removes them all.
 * The counters are in the database, so they hold across every API process.
 */
export async function installRateLimits(
  app: FastifyInstance,
  deps: Pick<Deps, 'db' | 'clock' | 'config'>,
  onExceeded: (route: string) => void = () => {},
): Promise<void> {
  if (!deps.config.rateLimitEnabled) return;
  await app.register(rateLimit, {
    global: false,
    store: createDatabaseRateLimitStore(deps.db, deps.clock),
    onExceeded: (request) => onExceeded(request.routeOptions.url ?? 'unknown'),
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      retryAfterSeconds: Math.max(1, Math.ceil(context.ttl / 1000)),
    }),
  });
}

export function routeRateLimit(config: Config, route: RateLimitedRoute) {
  return { max: config.rateLimits[route], timeWindow: config.rateLimitWindowSeconds * 1000 };
}
