import { config } from './config.ts';

/**
 * Every answer of the API is `{ status, status_code, message, data }`, with field
 * errors under `data.errors.<field>`. This module turns that envelope, a 429, a
 * non-JSON body or a network failure into one result type the pages can render.
 */

export type FieldErrors = Partial<Record<string, string[]>>;

export type ApiResult<T> =
  | { ok: true; status: number; message: string; data: T }
  | {
      ok: false;
      /** 0 when no answer arrived (offline, DNS, CORS, timeout). */
      status: number;
      message: string;
      errors: FieldErrors;
      /** Seconds to wait, when the API answered 429 with `Retry-After`. */
      retryAfter?: number;
    };

export type ApiFailure = Extract<ApiResult<unknown>, { ok: false }>;

export interface User {
  id: string | number;
  email: string;
  first_name: string;
  last_name: string;
}

const TIMEOUT_MS = 20_000;

interface CallOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  token?: string | null;
  signal?: AbortSignal;
  /** Shown when no usable answer arrives: the guide's per-page fallback text. */
  fallbackMessage: string;
}

export async function callApi<T>(path: string, options: CallOptions): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  const signals = [AbortSignal.timeout(TIMEOUT_MS)];
  if (options.signal) signals.push(options.signal);

  let response: Response;
  try {
    response = await fetch(`${config.apiUrl}${path}`, {
      method: options.method ?? 'POST',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.any(signals),
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
  } catch {
    return { ok: false, status: 0, message: options.fallbackMessage, errors: {} };
  }

  const envelope = await readEnvelope(response);

  if (response.status === 429) {
    const retryAfter =
      parseRetryAfter(response.headers.get('Retry-After')) ??
      numberOrUndefined(envelope?.data?.retry_after);
    return {
      ok: false,
      status: 429,
      message: tooManyAttemptsMessage(retryAfter),
      errors: {},
      ...(retryAfter === undefined ? {} : { retryAfter }),
    };
  }

  if (!envelope) {
    return { ok: false, status: response.status, message: options.fallbackMessage, errors: {} };
  }

  const message = typeof envelope.message === 'string' ? envelope.message : '';
  if (response.ok && envelope.status !== false) {
    return { ok: true, status: response.status, message, data: (envelope.data ?? {}) as T };
  }
  return {
    ok: false,
    status: response.status,
    message: message || options.fallbackMessage,
    errors: normaliseErrors(envelope.data?.errors),
  };
}

interface Envelope {
  status?: unknown;
  message?: unknown;
  data?: Record<string, unknown> | null;
}

async function readEnvelope(response: Response): Promise<Envelope | undefined> {
  try {
    const body: unknown = await response.json();
    return isRecord(body) ? (body as Envelope) : undefined;
  } catch {
    return undefined;
  }
}

function normaliseErrors(raw: unknown): FieldErrors {
  if (!isRecord(raw)) return {};
  const errors: FieldErrors = {};
  for (const [field, value] of Object.entries(raw)) {
    const messages = (Array.isArray(value) ? value : [value]).filter(
      (item): item is string => typeof item === 'string' && item.length > 0,
    );
    if (messages.length > 0) errors[field] = messages;
  }
  return errors;
}

/** `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

export function tooManyAttemptsMessage(seconds: number | undefined): string {
  if (seconds === undefined) return 'Too many attempts, please try again later.';
  if (seconds <= 90) {
    const wait = Math.max(1, seconds);
    return `Too many attempts, try again in ${wait} ${wait === 1 ? 'second' : 'seconds'}.`;
  }
  const minutes = Math.ceil(seconds / 60);
  return `Too many attempts, try again in ${minutes} minutes.`;
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
    ? Math.ceil(value)
    : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// The endpoints, one function each. Paths end in `/` as in the guide.

export function requestPasswordReset(email: string) {
  return callApi<Record<string, never>>('/auth/forgot-password/', {
    body: { email },
    fallbackMessage: 'Failed to send reset email. Please try again.',
  });
}

export function verifyResetToken(token: string, signal?: AbortSignal) {
  return callApi<{ valid: boolean; email: string }>('/auth/verify-reset-token/', {
    body: { token },
    signal,
    fallbackMessage: 'Failed to verify token',
  });
}

export function resetPassword(token: string, newPassword: string, confirmPassword: string) {
  return callApi<{ email: string }>('/auth/reset-password/', {
    body: { token, new_password: newPassword, confirm_password: confirmPassword },
    fallbackMessage: 'Password reset failed. Please try again.',
  });
}

export interface Registration {
  email: string;
  password: string;
  first_name: string;
  last_name: string;
}

export function register(registration: Registration) {
  return callApi<{ user: User }>('/auth/register/', {
    body: registration,
    fallbackMessage: 'Registration failed. Please try again.',
  });
}

export function login(email: string, password: string) {
  return callApi<{ token: string; user: User }>('/auth/login/', {
    body: { email, password },
    fallbackMessage: 'Sign in failed. Please try again.',
  });
}

export function fetchCurrentUser(token: string, signal?: AbortSignal) {
  return callApi<{ user: User }>('/auth/me/', {
    method: 'GET',
    token,
    signal,
    fallbackMessage: 'Could not load your account. Please try again.',
  });
}

export function logout(token: string) {
  return callApi<Record<string, never>>('/auth/logout/', {
    body: {},
    token,
    fallbackMessage: 'Sign out failed. Please try again.',
  });
}

/** "This wasn't me", from the password-changed mail: locks the account, mails a reset link. */
export function notMe(token: string) {
  return callApi<Record<string, never>>('/auth/not-me/', {
    body: { token },
    fallbackMessage: 'Could not lock your account. Please try again.',
  });
}
