/**
 * Optional router-only access: with ROUTER_SECRET set, GraphQL requests must carry
 * `Router-Authorization: <secret>`, compared in constant time; anything else gets 401.
 * Health, readiness and metrics are mounted elsewhere and stay open.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Whether a given value is the router secret, compared in constant time (HTTP and WebSocket alike). */
export function createRouterSecretCheck(secret: string): (given: unknown) => boolean {
  const expected = digest(secret);
  // Hashing first gives equal-length buffers, so the comparison time says nothing about the secret.
  return (given) => typeof given === 'string' && timingSafeEqual(digest(given), expected);
}

/** The answer to a GraphQL request without the router secret: 401, this header and this body. */
export const ROUTER_AUTH_REFUSAL = {
  status: 401,
  headers: { 'WWW-Authenticate': 'Router-Authorization' },
  body: {
    errors: [
      {
        message: 'This subgraph only answers the router: send the Router-Authorization header',
        extensions: { code: 'UNAUTHENTICATED' },
      },
    ],
  },
} as const;

export function createRouterAuth(secret: string | null): RequestHandler {
  if (secret === null) return (_req, _res, next) => next();
  const matches = createRouterSecretCheck(secret);
  return (req, res, next) => {
    if (matches(req.headers['router-authorization'])) return next();
    res.status(ROUTER_AUTH_REFUSAL.status).set(ROUTER_AUTH_REFUSAL.headers).json(ROUTER_AUTH_REFUSAL.body);
  };
}
