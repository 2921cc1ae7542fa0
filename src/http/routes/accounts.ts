import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { logIn } from '../../accounts/login.ts';
import { registerUser } from '../../accounts/register.ts';
import {
  invalidateSession,
  type SessionValidation,
  validateSessionToken,
} from '../../accounts/sessions.ts';
import { toPublicUser } from '../../accounts/users.ts';
import type { Deps } from '../../deps.ts';
import { FIELD_MESSAGES, MESSAGES } from '../../messages.ts';
import { sendEnvelope, sendFieldErrors } from '../envelope.ts';
import { bodyObject, emailField, nameField, passwordField } from '../fields.ts';
import { routeRateLimit } from '../rate-limit.ts';
import { requestContext } from '../request-context.ts';
import {
  COMMON_ERRORS,
  EmptyData,
  ErrorEnvelope,
  PublicUserSchema,
  successEnvelope,
} from '../schemas.ts';

const RegisterBody = bodyObject({
  email: emailField,
  password: passwordField,
  first_name: nameField,
  last_name: nameField,
});

const LoginBody = bodyObject({
  email: z
    .string({
      error: (issue) => (issue.input == null ? FIELD_MESSAGES.required : FIELD_MESSAGES.notAString),
    })
    .min(1, { error: FIELD_MESSAGES.required })
    .max(320, { error: FIELD_MESSAGES.tooLong(320) }),
  password: passwordField,
});

const UserResponse = (message: string) =>
  successEnvelope(z.object({ user: PublicUserSchema }), message);
const LoginResponse = successEnvelope(
  z.object({ token: z.string(), user: PublicUserSchema }),
  MESSAGES.loggedIn,
);

const BEARER = /^Bearer ([A-Za-z0-9_-]{1,128})$/;

async function authenticate(
  deps: Deps,
  request: FastifyRequest,
): Promise<SessionValidation | 'missing'> {
  const header = request.headers.authorization;
  if (!header) return 'missing';
  const match = BEARER.exec(header);
  if (!match?.[1]) return { ok: false };
  return validateSessionToken(deps.db, match[1], deps.clock.now());
}

export const accountRoutes: FastifyPluginAsyncZod<{ deps: Deps }> = async (app, { deps }) => {
  app.post(
    '/auth/register/',
    {
      schema: {
        body: RegisterBody,
        tags: ['accounts'],
        summary: 'Create an account',
        response: { 201: UserResponse(MESSAGES.registered), 403: ErrorEnvelope, ...COMMON_ERRORS },
      },
      config: {
        failureMessage: MESSAGES.registrationFailed,
        rateLimit: routeRateLimit(deps.config, 'register'),
      },
    },
    async (request, reply) => {
      if (!deps.config.registrationEnabled) {
        return sendFieldErrors(reply, 403, MESSAGES.registrationDisabled, {
          non_field_errors: [MESSAGES.registrationDisabled],
        });
      }
      const { email, password, first_name, last_name } = request.body;
      const result = await registerUser(deps, {
        email,
        password,
        firstName: first_name,
        lastName: last_name,
      });
      if (!result.ok)
        return sendFieldErrors(reply, 400, MESSAGES.registrationFailed, result.errors);
      return sendEnvelope(reply, 201, MESSAGES.registered, { user: result.user });
    },
  );

  app.post(
    '/auth/login/',
    {
      schema: {
        body: LoginBody,
        tags: ['accounts'],
        summary: 'Sign in; returns a bearer token',
        response: { 200: LoginResponse, ...COMMON_ERRORS },
      },
      config: {
        failureMessage: MESSAGES.loginFailed,
        rateLimit: routeRateLimit(deps.config, 'login'),
      },
    },
    async (request, reply) => {
      const result = await logIn(deps, request.body, requestContext(request));
      if (!result.ok) return sendFieldErrors(reply, 400, MESSAGES.loginFailed, result.errors);
      return sendEnvelope(reply, 200, MESSAGES.loggedIn, {
        token: result.token,
        user: result.user,
      });
    },
  );

  const unauthorised = (
    reply: Parameters<typeof sendFieldErrors>[0],
    session: 'missing' | { ok: false },
  ) => {
    const message = session === 'missing' ? MESSAGES.notAuthenticated : MESSAGES.invalidSession;
    reply.header('WWW-Authenticate', 'Bearer');
    return sendFieldErrors(reply, 401, message, { non_field_errors: [message] });
  };

  app.get(
    '/auth/me/',
    {
      schema: {
        tags: ['accounts'],
        summary: 'The signed-in user',
        security: [{ bearer: [] }],
        response: { 200: UserResponse(MESSAGES.currentUser), 401: ErrorEnvelope, ...COMMON_ERRORS },
      },
      config: { rateLimit: routeRateLimit(deps.config, 'session') },
    },
    async (request, reply) => {
      const session = await authenticate(deps, request);
      if (session === 'missing' || !session.ok)
        return unauthorised(reply, session === 'missing' ? session : { ok: false });
      return sendEnvelope(reply, 200, MESSAGES.currentUser, { user: toPublicUser(session.user) });
    },
  );

  app.post(
    '/auth/logout/',
    {
      schema: {
        tags: ['accounts'],
        summary: 'End this session',
        security: [{ bearer: [] }],
        response: {
          200: successEnvelope(EmptyData, MESSAGES.loggedOut),
          401: ErrorEnvelope,
          ...COMMON_ERRORS,
        },
      },
      config: { rateLimit: routeRateLimit(deps.config, 'session') },
    },
    async (request, reply) => {
      const session = await authenticate(deps, request);
      if (session === 'missing' || !session.ok)
        return unauthorised(reply, session === 'missing' ? session : { ok: false });
      await invalidateSession(deps.db, session.tokenHash);
      return sendEnvelope(reply, 200, MESSAGES.loggedOut, {});
    },
  );
};
