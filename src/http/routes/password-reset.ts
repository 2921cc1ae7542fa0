import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { hasFieldErrors, mergeFieldErrors } from '../../field-errors.ts';
import { FIELD_MESSAGES, MESSAGES } from '../../messages.ts';
import { confirmPasswordReset } from '../../reset/confirm-password-reset.ts';
import { requestPasswordReset } from '../../reset/request-password-reset.ts';
import { verifyResetToken } from '../../reset/verify-reset-token.ts';
import { sendEnvelope, sendFieldErrors } from '../envelope.ts';
import {
  bodyObject,
  emailField,
  fieldErrorsFromValidation,
  passwordField,
  tokenField,
} from '../fields.ts';
import { routeRateLimit } from '../rate-limit.ts';
import { requestContext } from '../request-context.ts';
import { COMMON_ERRORS, EmptyData, successEnvelope } from '../schemas.ts';

const ForgotPasswordBody = bodyObject({ email: emailField });
const VerifyResetTokenBody = bodyObject({ token: tokenField });
const ResetPasswordBody = bodyObject({
  token: tokenField,
  new_password: passwordField,
  confirm_password: passwordField,
});

const ForgotPasswordResponse = successEnvelope(EmptyData, MESSAGES.forgotPasswordAccepted);
const VerifyResetTokenResponse = successEnvelope(
  z.object({ valid: z.literal(true), email: z.string().meta({ example: 'user@example.com' }) }),
  MESSAGES.tokenIsValid,
);
const ResetPasswordResponse = successEnvelope(
  z.object({ email: z.string().meta({ example: 'user@example.com' }) }),
  MESSAGES.passwordResetDone,
);

export const passwordResetRoutes: FastifyPluginAsyncZod<{ deps: Deps }> = async (app, { deps }) => {
  app.post(
    '/auth/forgot-password/',
    {
      schema: {
        body: ForgotPasswordBody,
        tags: ['password reset'],
        summary: 'Ask for a reset link by email',
        response: { 200: ForgotPasswordResponse, ...COMMON_ERRORS },
      },
      config: {
        failureMessage: MESSAGES.invalidEmailAddress,
        rateLimit: routeRateLimit(deps.config, 'forgotPassword'),
      },
    },
    async (request, reply) => {
      await requestPasswordReset(deps, request.body.email, requestContext(request));
      deps.metrics.resetsRequested.inc();
      deps.notifyMailWork();
      return sendEnvelope(reply, 200, MESSAGES.forgotPasswordAccepted, {});
    },
  );

  app.post(
    '/auth/verify-reset-token/',
    {
      schema: {
        body: VerifyResetTokenBody,
        tags: ['password reset'],
        summary: 'Check a reset link without using it',
        response: { 200: VerifyResetTokenResponse, ...COMMON_ERRORS },
      },
      config: {
        failureMessage: MESSAGES.invalidOrExpiredToken,
        rateLimit: routeRateLimit(deps.config, 'verifyResetToken'),
      },
    },
    async (request, reply) => {
      const result = await verifyResetToken(deps, request.body.token, requestContext(request));
      deps.metrics.resetsVerified.inc({ outcome: result.ok ? 'valid' : result.reason });
      if (!result.ok) {
        const message =
          result.reason === 'invalid' ? FIELD_MESSAGES.invalidToken : FIELD_MESSAGES.expiredToken;
        return sendFieldErrors(reply, 400, MESSAGES.invalidOrExpiredToken, { token: [message] });
      }
      return sendEnvelope(reply, 200, MESSAGES.tokenIsValid, { valid: true, email: result.email });
    },
  );

  app.post(
    '/auth/reset-password/',
    {
      schema: {
        body: ResetPasswordBody,
        tags: ['password reset'],
        summary: 'Set a new password with a reset token',
        response: { 200: ResetPasswordResponse, ...COMMON_ERRORS },
      },
      config: {
        failureMessage: MESSAGES.passwordResetFailed,
        rateLimit: routeRateLimit(deps.config, 'resetPassword'),
      },
      // Shape errors are merged with the token and policy errors, so the user sees them all at once.
      attachValidation: true,
    },
    async (request, reply) => {
      const shapeErrors = request.validationError
        ? fieldErrorsFromValidation(
            (request.validationError as { validation?: [] }).validation ?? [],
          )
        : {};
      if (shapeErrors.non_field_errors) {
        return sendFieldErrors(reply, 400, MESSAGES.passwordResetFailed, shapeErrors);
      }
      const body = request.body as Record<string, unknown>;
      const valid = (field: string) => {
        const value = body[field];
        return field in shapeErrors || typeof value !== 'string' ? undefined : value;
      };
      const result = await confirmPasswordReset(
        deps,
        {
          token: valid('token'),
          newPassword: valid('new_password'),
          confirmPassword: valid('confirm_password'),
        },
        requestContext(request),
      );
      if (!result.ok || hasFieldErrors(shapeErrors)) {
        const errors = mergeFieldErrors(shapeErrors, result.ok ? {} : result.errors);
        return sendFieldErrors(reply, 400, MESSAGES.passwordResetFailed, errors);
      }
      deps.metrics.resetsCompleted.inc();
      return sendEnvelope(reply, 200, MESSAGES.passwordResetDone, { email: result.email });
    },
  );
};
