import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { Config } from '../config.ts';

/**
 * Swagger UI draws with inline styles and data: images, so its pages get this CSP instead
 * of the API's `default-src 'none'`; still nothing from another origin.
 */
export const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** OpenAPI 3.1 from the routes' Zod schemas at `${prefix}/openapi.json`, Swagger UI at `${prefix}/docs`. */
export async function installApiDocs(app: FastifyInstance, config: Config, prefix: string) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: `${config.appName} password reset API (Rekey)`,
        description:
          'Every response is the envelope `{ status, status_code, message, data }`; errors carry ' +
          '`data.errors.<field> = [messages]`.',
        version: '1.0.0',
      },
      // Relative: "Try it out" calls the origin that served the page (connect-src 'self').
      servers: [{ url: '/' }],
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, {
    routePrefix: `${prefix}/docs`,
    staticCSP: DOCS_CSP,
    uiConfig: { validatorUrl: null },
  });
  app.get(`${prefix}/openapi.json`, { schema: { hide: true } }, async () => app.swagger());
}
