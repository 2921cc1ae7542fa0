import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { pingDatabase } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { MESSAGES } from '../../messages.ts';
import { sendEnvelope, sendFieldErrors } from '../envelope.ts';
import { EmptyData, ErrorEnvelope, successEnvelope } from '../schemas.ts';

export const healthRoutes: FastifyPluginAsyncZod<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        summary: 'The process is up',
        response: { 200: successEnvelope(EmptyData, MESSAGES.healthy) },
      },
    },
    async (_request, reply) => sendEnvelope(reply, 200, MESSAGES.healthy, {}),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'The database answers',
        response: { 200: successEnvelope(EmptyData, MESSAGES.ready), 503: ErrorEnvelope },
      },
    },
    async (request, reply) => {
      try {
        await pingDatabase(deps.db);
        return sendEnvelope(reply, 200, MESSAGES.ready, {});
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed');
        return sendFieldErrors(reply, 503, MESSAGES.notReady, {
          non_field_errors: [MESSAGES.notReady],
        });
      }
    },
  );
};
