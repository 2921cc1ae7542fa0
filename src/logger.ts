import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Structured logs that can be shipped anywhere: request URLs lose their query string
 * (the reset page's URL carries the token), and any field named like a secret is
 * censored wherever it appears.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'token',
  'password',
  'new_password',
  'confirm_password',
  '*.token',
  '*.password',
  '*.new_password',
  '*.confirm_password',
  'payload',
  '*.payload',
];

interface RequestLike {
  method: string;
  url: string;
  ip?: string;
  headers: Record<string, unknown>;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: {
        req: (req: RequestLike) => ({
          method: req.method,
          path: req.url.split('?')[0],
          remoteAddress: req.ip,
          userAgent: req.headers['user-agent'],
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        err: pino.stdSerializers.err,
      },
    },
    destination,
  );
}
