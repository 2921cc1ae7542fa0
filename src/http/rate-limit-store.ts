import type { FastifyRateLimitStore } from '@fastify/rate-limit';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import { deleteExpiredRateLimits, incrementRateLimit, readRateLimit } from '../db/rate-limits.ts';
import type { Database } from '../db/schema.ts';

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void;

interface RouteOptions {
  routeInfo?: { method?: string | string[]; url?: string };
}

const SWEEP_INTERVAL_MS = 60_000;
const MAX_REMEMBERED = 10_000;

/**
 * @fastify/rate-limit's `store` over the `rate_limits` table, so every API process counts
 * against the same windows (its default store is per-process memory). The key is the
 * route plus the client key, so each route keeps its own window, as with the default store.
 * Windows follow the service clock; a test's fixed clock holds them open until it moves.
 */
export function createDatabaseRateLimitStore(db: Kysely<Database>, clock: Clock) {
  let lastSweep = Number.NEGATIVE_INFINITY;
  /**
   * Keys this process has seen over their limit, with the end of their window. A window's
   * count only grows until it ends, so every process would answer 429 for such a key until
   * then: answering it here without the database is the same answer, and it keeps a flood
   * from one address from queueing on that address's row.
   */
  const exceeded = new Map<string, number>();
  function remember(key: string, until: number) {
    if (exceeded.size >= MAX_REMEMBERED) exceeded.clear();
    exceeded.set(key, until);
  }

  function sweep(now: number) {
    if (now - lastSweep < SWEEP_INTERVAL_MS) return;
    lastSweep = now;
    // Housekeeping only: a failed sweep is retried on a later request.
    deleteExpiredRateLimits(db, now).catch(() => {});
  }

  class DatabaseRateLimitStore implements FastifyRateLimitStore {
    private readonly prefix: string;

    constructor(options: RouteOptions = {}) {
      const method = options.routeInfo?.method;
      this.prefix = options.routeInfo?.url
        ? `${Array.isArray(method) ? method.join(',') : (method ?? '')} ${options.routeInfo.url}|`
        : '';
    }

    incr(key: string, callback: Callback, timeWindow: number, max: number): void {
      const now = clock.now();
      const fullKey = this.prefix + key;
      const blockedUntil = exceeded.get(fullKey);
      if (blockedUntil !== undefined && blockedUntil > now) {
        callback(null, { current: max + 1, ttl: blockedUntil - now });
        return;
      }
      exceeded.delete(fullKey);
      incrementRateLimit(db, fullKey, now, timeWindow).then(
        ({ count, expiresAt }) => {
          if (count > max) remember(fullKey, expiresAt);
          sweep(now);
          callback(null, { current: count, ttl: expiresAt - now });
        },
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    }

    read(key: string, callback: Callback): void {
      const now = clock.now();
      readRateLimit(db, this.prefix + key, now).then(
        (row) =>
          callback(
            null,
            row ? { current: row.count, ttl: row.expiresAt - now } : { current: 0, ttl: 0 },
          ),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    }

    // At run time the plugin passes the route's merged options with `routeInfo` in them.
    child(routeOptions: object): FastifyRateLimitStore {
      return new DatabaseRateLimitStore(routeOptions as RouteOptions);
    }
  }
  return DatabaseRateLimitStore;
}
