/**
 * `POST /webhooks/:provider`: where the payment providers deliver their signed events. Not behind
 * the router secret (the providers call it, not the router); instead every request is limited per
 * source address (429 when over). The body is read raw, the bytes exactly as received, because the
 * signature covers those bytes; the receiver decides everything else.
 */
import express, { Router, type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { MAX_WEBHOOK_BODY_BYTES, type WebhookReceiver } from '../../refunds/webhooks/webhook-receiver.js';

export interface WebhookRoutesOptions {
  readonly receiver: WebhookReceiver;
  /** Requests one source address may make per window (default 100 per second). */
  readonly rateLimit?: { readonly points: number; readonly durationS: number };
}

/** The path segment, or '' when express gives none (never used as anything but a map key). */
const providerOf = (req: Request): string => {
  const value = req.params.provider;
  return typeof value === 'string' ? value : '';
};

export function createWebhookRouter(options: WebhookRoutesOptions): Router {
  const { receiver } = options;
  const limiter = new RateLimiterMemory({
    keyPrefix: 'webhooks',
    points: options.rateLimit?.points ?? 100,
    duration: options.rateLimit?.durationS ?? 1,
  });

  const rateLimit: RequestHandler = (req, res, next) => {
    // The socket's address: `trust proxy` is off, so a forwarded header cannot pick another's bucket.
    limiter.consume(req.socket.remoteAddress ?? 'unknown').then(
      () => next(),
      (rejection: unknown) => {
        if (!(rejection instanceof RateLimiterRes)) return next(rejection);
        res
          .status(429)
          .set('Retry-After', String(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000))))
          .json({ error: 'rate_limited', message: 'Too many requests from this address' });
      },
    );
  };

  const onlyEnabled: RequestHandler = (req, res, next) => {
    if (receiver.enabled(providerOf(req))) return next();
    // The receiver counts it and answers the same 404 an unknown provider gets.
    void receiver.receive(providerOf(req), Buffer.alloc(0), {}).then((answer) => send(res, answer));
  };

  // Every content type is read, so the receiver can refuse the wrong one with its own reason.
  const rawBody = express.raw({ type: () => true, limit: MAX_WEBHOOK_BODY_BYTES });

  const tooLarge: ErrorRequestHandler = (error: unknown, req, res, next) => {
    const type = (error as { type?: unknown } | null)?.type;
    if (type === 'entity.too.large') return send(res, receiver.refuse(providerOf(req), 'body_too_large'));
    if (type === 'entity.parse.failed' || type === 'request.aborted' || type === 'encoding.unsupported') {
      return send(res, receiver.refuse(providerOf(req), 'malformed_event'));
    }
    next(error);
  };

  const receive: RequestHandler = (req, res) => {
    const body: unknown = req.body;
    const raw = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
    void receiver.receive(providerOf(req), raw, req.headers).then((answer) => send(res, answer));
  };

  const router = Router();
  router.post('/webhooks/:provider', rateLimit, onlyEnabled, rawBody, tooLarge, receive);
  return router;
}

function send(res: express.Response, answer: { status: number; body: string }): void {
  res.status(answer.status).set('Cache-Control', 'no-store').type('application/json').send(answer.body);
}
