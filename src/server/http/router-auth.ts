/**
 * Optional router-only access: with ROUTER_SECRET set, GraphQL requests must carry
 * `Router-Authorization: <secret>`, compared in constant time; anything else gets 401.
 * Health, readiness and metrics are mounted elsewhere and stay open.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

const digest = (value: string) => createHash('sha256').update(value).digest();

export function createRouterAuth(secret: string | null): RequestHandler {
  if (secret === null) return (_req, _res, next) => next();
  const expected = digest(secret);
  return (req, res, next) => {
    const given = req.headers['router-authorization'];
    // Hashing first gives equal-length buffers, so the comparison time says nothing about the secret.
    if (typeof given === 'string' && timingSafeEqual(digest(given), expected)) return next();
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
