/**
 * Every message a client can see, in one catalogue: the integration guide's and Django's
 * exact English. Handlers and the domain refer to these names, never to ad-hoc strings.
 */
export const MESSAGES = {
  forgotPasswordAccepted: 'You will receive a password reset link shortly.',
  invalidEmailAddress: 'Invalid email address',
  tokenIsValid: 'Token is valid',
  invalidOrExpiredToken: 'Invalid or expired token',
  passwordResetDone: 'Password reset successfully. You can now login with your new password.',
  passwordResetFailed: 'Password reset failed',
  registered: 'Account created successfully.',
  registrationFailed: 'Registration failed',
  registrationDisabled: 'Registration is disabled.',
  loggedIn: 'Login successful',
  loginFailed: 'Login failed',
  loggedOut: 'Logged out successfully.',
  currentUser: 'Current user',
  notAuthenticated: 'Authentication credentials were not provided.',
  invalidSession: 'Invalid token.',
  notFound: 'Not found.',
  methodNotAllowed: (method: string) => `Method "${method}" not allowed.`,
  unsupportedMediaType: (type: string) => `Unsupported media type "${type}" in request.`,
  bodyTooLarge: 'Request body is too large.',
  malformedJson: 'JSON parse error',
  malformedJsonDetail: 'The request body is not valid JSON.',
  notAnObject: (type: string) => `Invalid data. Expected a dictionary, but got ${type}.`,
  invalidRequest: 'Invalid request',
  tooManyRequests: 'Request was throttled.',
  throttledDetail: (seconds: number) =>
    `Request was throttled. Expected available in ${seconds} second${seconds === 1 ? '' : 's'}.`,
  serverError: 'A server error occurred.',
  notMeDone:
    'Your account is locked and every session was signed out. We sent you an email with a link to choose a new password.',
  notMeFailed: 'Invalid or expired link',
  healthy: 'OK',
  ready: 'Ready',
  notReady: 'Database unreachable',
} as const;

export const FIELD_MESSAGES = {
  required: 'This field is required.',
  invalidEmail: 'Enter a valid email address.',
  notAString: 'Not a valid string.',
  invalidToken: 'Invalid token',
  expiredToken: 'Token has expired or already been used',
  passwordsDoNotMatch: 'Passwords do not match',
  emailTaken: 'A user with that email already exists.',
  invalidCredentials: 'Unable to log in with provided credentials.',
  tooLong: (max: number) => `Ensure this field has no more than ${max} characters.`,
} as const;
