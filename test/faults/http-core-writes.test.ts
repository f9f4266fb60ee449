/**
 * The provider HTTP core's write path, against a real HTTP server on an ephemeral loopback port:
 * any method with a JSON body, the retry policy chosen per call (`connect-only` retries only what
 * provably never reached the server; `provider-idempotent` retries like a read), refusals handed
 * back as data, `mayHaveReachedProvider` telling an unknown outcome from one that never left, writes
 * gated but not counted by the breaker, and the per-attempt hooks.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/app/config.js';
import { ProviderError, ProviderRateLimitedError } from '../../src/domain/errors.js';
import {
  createProviderHttp,
  outcomeUnknown,
  type ProviderHttp,
  type ProviderHttpOptions,
} from '../../src/providers/http/provider-http.js';
import type { ProviderIdentity } from '../../src/domain/refund.js';
import type { ProviderAttemptEnd, ProviderAttemptHooks } from '../../src/providers/http/types.js';
import type { ProviderCallRecord } from '../../src/providers/port.js';

/** The core is generic: any identity will do; its label starts every error message. */
const PROVIDER: ProviderIdentity = { name: 'WOOSHPAY', label: 'TestPay' };

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
type Reply = (req: IncomingMessage, res: ServerResponse) => void;

const json =
  (status: number, body: unknown): Reply =>
  (_req, res) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
/** Reads the whole request, then drops the connection without a response. */
const reset: Reply = (req) => req.socket.destroy();
const hang: Reply = () => undefined;

/** A server that answers with the queued replies in order (the last one repeats) and logs every request. */
function startServer(): { server: Server; seen: Seen[]; replies: Reply[]; origin: () => string } {
  const seen: Seen[] = [];
  const replies: Reply[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
      const reply = replies.length > 1 ? replies.shift()! : replies[0];
      (reply ?? json(500, { code: 'no_reply_queued' }))(req, res);
    });
  });
  return { server, seen, replies, origin: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const listen = (server: Server, port = 0) =>
  new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
const close = (server: Server) => {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(resolve));
};

/** A loopback port nothing listens on (connections to it are refused). */
async function refusedPort(): Promise<number> {
  const probe = createServer();
  await listen(probe);
  const { port } = probe.address() as AddressInfo;
  await close(probe);
  return port;
}

interface Harness {
  http: ProviderHttp;
  records: ProviderCallRecord[];
  logs: Array<Record<string, unknown>>;
}

const opened: ProviderHttp[] = [];

function harness(baseUrl: string, env: Record<string, string> = {}, extra: Partial<ProviderHttpOptions> = {}): Harness {
  const config = loadConfig({
    PROVIDER_ATTEMPT_TIMEOUT_MS: '300',
    PROVIDER_DEADLINE_MS: '3000',
    PROVIDER_MAX_RETRIES: '2',
    PROVIDER_RETRY_BASE_DELAY_MS: '5',
    BREAKER_VOLUME_THRESHOLD: '100000',
    ...env,
  });
  const records: ProviderCallRecord[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>) },
  );
  const http = createProviderHttp({
    provider: PROVIDER,
    baseUrl,
    http: config.http,
    breaker: config.breaker,
    authorize: (headers) => headers.set('authorization', 'Bearer test-credential'),
    credentialSettings: 'TEST_PROVIDER_KEY',
    isNotFoundBody: (body) => (body as { code?: unknown } | undefined)?.code === 'resource_missing',
    errorCodeOf: (body) => (body as { code?: string } | undefined)?.code,
    logger,
    observe: (record) => records.push(record),
    ...extra,
  });
  opened.push(http);
  return { http, records, logs };
}

const context = { requestId: 'write-test-1' };
const CREATE = {
  method: 'POST',
  path: 'v1/things',
  body: { amount: 1500, currency: 'usd' },
  parse: (body: unknown) => body,
} as const;

/** The ProviderError a call rejected with (failing the test if it resolved). */
async function failureOf(call: Promise<unknown>): Promise<ProviderError> {
  const error: unknown = await call.then(
    () => new Error('expected the call to fail'),
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe('the provider HTTP core, write path', () => {
  const { server, seen, replies, origin } = startServer();

  beforeAll(() => listen(server));
  afterAll(async () => {
    await Promise.all(opened.splice(0).map((http) => http.close()));
    await close(server);
  });
  beforeEach(() => {
    seen.length = 0;
    replies.length = 0;
  });

  it('sends the method, the JSON body and the per-call headers, and records the real method', async () => {
    replies.push(json(201, { id: 'thing_1' }));
    const { http, records } = harness(origin());

    const answer = await http.send(
      { ...CREATE, headers: { 'idempotency-key': 'key-0001' }, retry: 'connect-only' },
      { ...context, headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } },
    );

    expect(answer).toEqual({ ok: true, status: 201, value: { id: 'thing_1' } });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/v1/things', body: '{"amount":1500,"currency":"usd"}' });
    expect(seen[0]!.headers).toMatchObject({
      'content-type': 'application/json',
      'idempotency-key': 'key-0001',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      authorization: 'Bearer test-credential',
      'x-request-id': 'write-test-1',
    });
    expect(records).toEqual([
      expect.objectContaining({ method: 'POST', path: '/v1/things', status: 201, attempts: 1, outcome: 'ok' }),
    ]);
  });

  describe('connect-only', () => {
    it('retries a refused connection and sends the request once the server is there', async () => {
      const port = await refusedPort();
      const late = startServer();
      late.replies.push(json(201, { id: 'thing_2' }));
      const attempts: number[] = [];
      const { http, records } = harness(
        `http://127.0.0.1:${port}`,
        {},
        {
          attemptHooks: {
            beforeAttempt: async ({ attempt }) => {
              attempts.push(attempt);
              if (attempt === 2) await listen(late.server, port);
            },
          },
        },
      );
      try {
        const answer = await http.send({ ...CREATE, retry: 'connect-only' }, context);

        expect(answer).toEqual({ ok: true, status: 201, value: { id: 'thing_2' } });
        expect(attempts).toEqual([1, 2]);
        expect(late.seen).toHaveLength(1);
        expect(records[0]).toMatchObject({ method: 'POST', attempts: 2, outcome: 'ok' });
      } finally {
        await close(late.server);
      }
    });

    it('gives up on a server that refuses every connection: nothing reached it', async () => {
      const { http, records } = harness(`http://127.0.0.1:${await refusedPort()}`);

      const error = await failureOf(http.send({ ...CREATE, retry: 'connect-only' }, context));

      expect(error.code).toBe('PROVIDER_UNAVAILABLE');
      expect(error.message).toBe('TestPay: the provider could not be reached (3 attempts)');
      expect(error.mayHaveReachedProvider).toBe(false);
      expect(outcomeUnknown(error)).toBe(false);
      expect(records[0]).toMatchObject({ method: 'POST', attempts: 3, outcome: 'error', status: null });
    });

    it.each([
      { name: 'a 503', reply: json(503, { code: 'server_error' }), code: 'PROVIDER_UNAVAILABLE', status: 503 },
      { name: 'a reset after the request was read', reply: reset, code: 'PROVIDER_UNAVAILABLE', status: undefined },
      { name: 'no answer within the attempt timeout', reply: hang, code: 'PROVIDER_TIMEOUT', status: undefined },
    ])('does not repeat a request that may have reached the server: $name', async ({ reply, code, status }) => {
      replies.push(reply);
      const { http } = harness(origin());

      const error = await failureOf(http.send({ ...CREATE, retry: 'connect-only' }, context));

      expect(seen).toHaveLength(1);
      expect(error.code).toBe(code);
      expect(error.status).toBe(status);
      expect(error.mayHaveReachedProvider).toBe(true);
      expect(outcomeUnknown(error)).toBe(true);
    });
  });

  it('a deadline passing while an attempt is in flight leaves the outcome unknown', async () => {
    replies.push(hang);
    const { http } = harness(origin(), { PROVIDER_ATTEMPT_TIMEOUT_MS: '300', PROVIDER_DEADLINE_MS: '300' });

    const error = await failureOf(http.send({ ...CREATE, retry: 'connect-only' }, context));

    expect(seen).toHaveLength(1);
    expect(error.code).toBe('PROVIDER_TIMEOUT');
    expect(error.mayHaveReachedProvider).toBe(true);
    expect(outcomeUnknown(error)).toBe(true);
  });

  it('provider-idempotent: retries a 5xx and a reset like a read, with the same key and body each time', async () => {
    replies.push(json(500, { code: 'api_error' }), reset, json(200, { id: 'thing_3' }));
    const { http, records } = harness(origin());

    const answer = await http.send(
      { ...CREATE, headers: { 'idempotency-key': 'key-0003' }, retry: 'provider-idempotent' },
      context,
    );

    expect(answer).toEqual({ ok: true, status: 200, value: { id: 'thing_3' } });
    expect(seen.map((request) => [request.method, request.headers['idempotency-key'], request.body])).toEqual([
      ['POST', 'key-0003', '{"amount":1500,"currency":"usd"}'],
      ['POST', 'key-0003', '{"amount":1500,"currency":"usd"}'],
      ['POST', 'key-0003', '{"amount":1500,"currency":"usd"}'],
    ]);
    expect(records[0]).toMatchObject({ attempts: 3, outcome: 'ok', status: 200 });
  });

  describe('answers that are not 2xx', () => {
    const isRefusal = (status: number, body: unknown) =>
      [400, 402, 404, 409].includes(status) && typeof (body as { code?: unknown } | undefined)?.code === 'string';

    it.each([400, 402, 404, 409])(
      'hands a %i with the provider error body back as data, logged as nothing',
      async (status) => {
        replies.push(json(status, { code: 'amount_too_large', message: 'Refund amount is greater than remaining' }));
        const { http, records, logs } = harness(origin());

        const answer = await http.send({ ...CREATE, retry: 'connect-only', refusal: isRefusal }, context);

        expect(answer).toEqual({
          ok: false,
          status,
          body: { code: 'amount_too_large', message: 'Refund amount is greater than remaining' },
        });
        expect(seen).toHaveLength(1);
        expect(records[0]).toMatchObject({ outcome: status === 404 ? 'not_found' : 'refused', status });
        expect(logs.filter((line) => Number(line.level) >= 40)).toEqual([]);
      },
    );

    it('turns a 4xx the caller does not take as a refusal into PROVIDER_BAD_RESPONSE: reached, but refused', async () => {
      replies.push(json(422, { code: 'unprocessable' }));
      const { http, logs } = harness(origin());

      const error = await failureOf(http.send({ ...CREATE, retry: 'connect-only', refusal: isRefusal }, context));

      expect(error.code).toBe('PROVIDER_BAD_RESPONSE');
      expect(error.mayHaveReachedProvider).toBe(true);
      expect(outcomeUnknown(error)).toBe(false);
      expect(logs.filter((line) => line.code === 'PROVIDER_BAD_RESPONSE')).toEqual([
        expect.objectContaining({ level: 40, status: 422, providerErrorCode: 'unprocessable' }),
      ]);
    });

    it('never takes 401 as a refusal: PROVIDER_AUTH_FAILED and one error line naming the settings', async () => {
      replies.push(json(401, { code: 'unauthorized' }));
      const { http, logs } = harness(origin());

      const error = await failureOf(http.send({ ...CREATE, retry: 'connect-only', refusal: () => true }, context));

      expect(error.code).toBe('PROVIDER_AUTH_FAILED');
      expect(logs.filter((line) => String(line.msg).includes('TEST_PROVIDER_KEY'))).toEqual([
        expect.objectContaining({ level: 50, code: 'PROVIDER_AUTH_FAILED', status: 401 }),
      ]);
    });
  });

  it('the breaker: failing writes never open it; while reads have opened it, a write fails fast and sends nothing', async () => {
    replies.push(json(503, { code: 'server_error' }));
    const { http, records } = harness(origin(), {
      PROVIDER_MAX_RETRIES: '0',
      BREAKER_VOLUME_THRESHOLD: '2',
      BREAKER_ERROR_THRESHOLD_PERCENT: '50',
    });

    for (let index = 0; index < 4; index += 1)
      await failureOf(http.send({ ...CREATE, retry: 'connect-only' }, context));
    expect(http.breakerState()).toBe('closed');

    for (let index = 0; index < 2; index += 1)
      await failureOf(http.getResource('v1/things/t_1', context, (body) => body));
    expect(http.breakerState()).toBe('open');
    seen.length = 0;

    const error = await failureOf(http.send({ ...CREATE, retry: 'connect-only' }, context));

    expect(error.code).toBe('PROVIDER_UNAVAILABLE');
    expect(error.mayHaveReachedProvider).toBe(false);
    expect(seen).toEqual([]);
    expect(records.at(-1)).toMatchObject({ method: 'POST', outcome: 'short_circuited', attempts: 0, status: null });
  });

  describe('attempt hooks', () => {
    it('run before and around every attempt; startAttempt may set headers on its attempt', async () => {
      replies.push(json(503, { code: 'server_error' }), json(200, { id: 'thing_4' }));
      const events: string[] = [];
      const ends: ProviderAttemptEnd[] = [];
      const hooks: ProviderAttemptHooks = {
        beforeAttempt: ({ attempt }) => {
          events.push(`before ${attempt}`);
        },
        startAttempt: ({ method, path, attempt }, headers) => {
          events.push(`start ${attempt} ${method} ${path}`);
          headers.set('x-attempt', String(attempt));
          return (end) => ends.push(end);
        },
      };
      const { http } = harness(origin(), {}, { attemptHooks: hooks });

      const thing = await http.getResource('v1/things/t_4', context, (body) => body);

      expect(thing).toEqual({ id: 'thing_4' });
      expect(events).toEqual(['before 1', 'start 1 GET /v1/things/t_4', 'before 2', 'start 2 GET /v1/things/t_4']);
      expect(seen.map((request) => request.headers['x-attempt'])).toEqual(['1', '2']);
      expect(ends).toEqual([{ status: 503, errorType: '503' }, { status: 200 }]);
    });

    it('report an attempt that got no answer with its error type', async () => {
      const ends: ProviderAttemptEnd[] = [];
      const { http } = harness(
        `http://127.0.0.1:${await refusedPort()}`,
        { PROVIDER_MAX_RETRIES: '0' },
        {
          attemptHooks: { startAttempt: () => (end) => ends.push(end) },
        },
      );

      await failureOf(http.send({ ...CREATE, retry: 'connect-only' }, context));

      expect(ends).toEqual([{ status: null, errorType: 'ECONNREFUSED' }]);
    });

    it('a before-attempt hook that refuses fails the call with its error, nothing sent, no retry', async () => {
      replies.push(json(201, { id: 'never' }));
      let calls = 0;
      const { http } = harness(
        origin(),
        {},
        {
          attemptHooks: {
            beforeAttempt: () => {
              calls += 1;
              throw new ProviderRateLimitedError(PROVIDER, 'the request budget is spent');
            },
          },
        },
      );

      const error = await failureOf(http.send({ ...CREATE, retry: 'provider-idempotent' }, context));

      expect(error.code).toBe('PROVIDER_RATE_LIMITED');
      expect(error.mayHaveReachedProvider).toBe(false);
      expect(calls).toBe(1);
      expect(seen).toEqual([]);
    });

    it('a deadline passing while a before-attempt hook waits is a timeout that sent nothing', async () => {
      replies.push(json(201, { id: 'never' }));
      const { http } = harness(
        origin(),
        { PROVIDER_ATTEMPT_TIMEOUT_MS: '200', PROVIDER_DEADLINE_MS: '300' },
        {
          attemptHooks: {
            beforeAttempt: (_attempt, signal) =>
              new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error))),
          },
        },
      );

      const error = await failureOf(http.send({ ...CREATE, retry: 'connect-only' }, context));

      expect(error.code).toBe('PROVIDER_TIMEOUT');
      expect(error.message).toContain('300 ms deadline');
      expect(error.mayHaveReachedProvider).toBe(false);
      expect(seen).toEqual([]);
    });
  });
});
