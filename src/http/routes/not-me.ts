import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deps } from '../../deps.ts';
import { FIELD_MESSAGES, MESSAGES } from '../../messages.ts';
import { useNotMeLink } from '../../reset/not-me.ts';
import { sendEnvelope, sendFieldErrors } from '../envelope.ts';
import { bodyObject, tokenField } from '../fields.ts';
import { routeRateLimit } from '../rate-limit.ts';
import { requestContext } from '../request-context.ts';
import { COMMON_ERRORS, EmptyData, successEnvelope } from '../schemas.ts';

const NotMeBody = bodyObject({ token: tokenField });

export const notMeRoutes: FastifyPluginAsyncZod<{ deps: Deps }> = async (app, { deps }) => {
  app.post(
    '/auth/not-me/',
    {
      schema: {
        body: NotMeBody,
        tags: ['password reset'],
        summary: '"This wasn\'t me": sign everyone out, lock sign-in, mail a fresh reset link',
        description:
          'The token comes from the link in the password-changed mail. Opening that link does ' +
          'nothing; only this POST (one click on the page) uses the token, once.',
        response: { 200: successEnvelope(EmptyData, MESSAGES.notMeDone), ...COMMON_ERRORS },
      },
      config: {
        failureMessage: MESSAGES.notMeFailed,
        rateLimit: routeRateLimit(deps.config, 'notMe'),
      },
    },
    async (request, reply) => {
      const result = await useNotMeLink(deps, request.body.token, requestContext(request));
      if (!result.ok) {
        const message =
          result.reason === 'invalid' ? FIELD_MESSAGES.invalidToken : FIELD_MESSAGES.expiredToken;
        return sendFieldErrors(reply, 400, MESSAGES.notMeFailed, { token: [message] });
      }
      return sendEnvelope(reply, 200, MESSAGES.notMeDone, {});
    },
  );
};
