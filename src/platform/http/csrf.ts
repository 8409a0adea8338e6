// The cross-site request forgery check's settings. @fastify/csrf-protection keeps a random secret
// in a signed cookie; each form's token is an HMAC of that secret and of the session it was made
// for (the session's id hash, or "signed-out"). So a token is good only in the session whose page
// carried it: one from before signing in, from another session, or from before signing out is
// refused, and every new session (each sign-in stage makes one) gets new tokens.
import { createHmac } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/**
 * Over https the cookie is named with the `__Host-` prefix, which browsers accept only when it is
 * Secure, has Path=/ and no Domain: so no sub-domain or plain-http page can set or replace it.
 */
export const csrfCookieName = (secure: boolean) => (secure ? '__Host-jointly_csrf' : 'jointly_csrf');

/** The key for the tokens' HMAC, derived from the session secret so it is never the same value. */
export const csrfHmacKey = (sessionSecret: string) => createHmac('sha256', sessionSecret).update('jointly csrf tokens').digest();

/** What a token is bound to: the session the request arrived with (read by the onRequest hook). */
export function csrfUserInfo(req: FastifyRequest): string {
  const session = req.user?.sessionIdHash ?? req.pendingSession?.idHash;
  return session ? `session:${session}` : 'signed-out';
}
