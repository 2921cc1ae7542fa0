import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { Deps } from './deps.ts';
import { installAccessLog } from './http/access-log.ts';
import { installApiDocs } from './http/api-docs.ts';
import { frameworkErrorHandler, installErrorHandlers } from './http/error-handler.ts';
import { installRequestMetrics, metricsRoutes } from './http/metrics.ts';
import { installRateLimits } from './http/rate-limit.ts';
import { accountRoutes } from './http/routes/accounts.ts';
import { healthRoutes } from './http/routes/health.ts';
import { notMeRoutes } from './http/routes/not-me.ts';
import { passwordResetRoutes } from './http/routes/password-reset.ts';
import { installSecurityHeaders } from './http/security-headers.ts';

export const API_PREFIX = '/api';
/** Password-reset bodies are a few hundred bytes; anything near this is not a client of ours. */
export const BODY_LIMIT_BYTES = 16 * 1024;

export interface AppOptions {
  /** Extra routes a test registers (e.g. one that throws, to see the 500 envelope). */
  extraRoutes?: (app: FastifyInstance) => void;
}

/** deps → a Fastify instance with every route; the server file only listens. */
export async function buildApp(deps: Deps, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    trustProxy: deps.config.trustProxy,
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: () => randomUUID(),
    // installAccessLog writes one line per request instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors: frameworkErrorHandler,
  });
  app.setValidatorCompiler(validatorCompiler);
  // Response schemas are documentation (OpenAPI); replies are the envelopes the handlers build.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  installErrorHandlers(app);
  installRequestMetrics(app, deps.metrics);
  installAccessLog(app);

  // An empty body reads as `{}`, as in Django REST Framework: the answer names the missing fields.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  // JSON only: any other content type is a 415, not a string handed to the handlers.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, {});
    // biome-ignore lint/nursery/noFloatingPromises: the default JSON parser is the callback form, it answers through done and returns nothing
    parseJson(request, body as string, done);
  });
  // Hooks on the request path take a callback: an async hook costs a promise per request.
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.body === undefined && request.method !== 'GET' && request.method !== 'HEAD')
      request.body = {};
    done();
  });

  installSecurityHeaders(app, [['Cache-Control', 'no-store']], {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
  await app.register(cors, {
    origin: deps.config.corsOrigins,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['Content-Type', 'Authorization'],
    exposedHeaders: ['Retry-After'],
    maxAge: 600,
  });
  await installRateLimits(app, deps, (route) => deps.metrics.rateLimitHits.inc({ route }));
  // Before the routes: @fastify/swagger documents the routes registered after it.
  await installApiDocs(app, deps.config, API_PREFIX);

  await app.register(healthRoutes, { deps });
  await app.register(metricsRoutes, { metrics: deps.metrics });
  await app.register(
    // biome-ignore lint/nursery/noMisusedPromises: Fastify awaits a plugin that returns a promise
    async (api) => {
      await api.register(passwordResetRoutes, { deps });
      await api.register(accountRoutes, { deps });
      await api.register(notMeRoutes, { deps });
      options.extraRoutes?.(api);
    },
    { prefix: API_PREFIX },
  );
  return app;
}
