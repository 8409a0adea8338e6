// Structured logs with request ids; personal data and secrets never reach them.
import type { FastifyServerOptions } from 'fastify';

export const REDACT_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.code',
  '*.email',
  '*.token',
  '*.totp_secret',
  '*.password_hash',
];

/**
 * Paths whose segments are secrets (an invitation's one-time token, and any future reset link):
 * the secret part is replaced before the path reaches a log line.
 */
const SECRET_PATHS: RegExp[] = [/^(\/invitation\/)[^/?#]+/i, /^(\/reset-password\/)[^/?#]+/i];

/** The path to log for a request URL: no query string, and no secret segment. */
export function loggablePath(url: string): string {
  let path = url.split('?')[0]!.split('#')[0]!;
  for (const re of SECRET_PATHS) path = path.replace(re, '$1[redacted]');
  return path;
}

export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      // Query strings can carry names and identifiers typed into search boxes: log the path only,
      // and never an invitation's token (it would let anyone who reads the logs take the account).
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: loggablePath(req.url) }),
    },
  };
}
