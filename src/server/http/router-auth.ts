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

export function createRouterAuth(secret: string | null): RequestHandler {
  if (secret === null) return (_req, _res, next) => next();
  const matches = createRouterSecretCheck(secret);
  return (req, res, next) => {
    if (matches(req.headers['router-authorization'])) return next();
    res
      .status(401)
      .set('WWW-Authenticate', 'Router-Authorization')
      .json({
        errors: [
          {
            message: 'This subgraph only answers the router: send the Router-Authorization header',
            extensions: { code: 'UNAUTHENTICATED' },
          },
        ],
      });
  };
}
