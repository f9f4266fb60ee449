/**
 * The provider simulators over real HTTP: each documented contract, and every fault kind the
 * client tests rely on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import type { SimulatorHandle } from '../../src/simulator-kit/fault-injection.js';
import { startWooshPaySimulator } from '../../src/providers/wooshpay/simulator.js';
import { wooshPaySeedRefunds } from '../../src/providers/wooshpay/seed.js';
import { wooshPayRefundSchema } from '../../src/providers/wooshpay/wire.js';
import { startEfundpaySimulator } from '../../src/providers/efundpay/simulator.js';
import { efundpaySeedRefunds } from '../../src/providers/efundpay/seed.js';
import { efundpayRefundSchema } from '../../src/providers/efundpay/wire.js';
import {
  EFUNDPAY_EUR_DOCS_EXAMPLE,
  EFUNDPAY_NOT_SEEDED,
  EFUNDPAY_OTHER_MERCHANT,
  WOOSHPAY_EUR_PENDING,
  WOOSHPAY_USD_SPEC_EXAMPLE,
} from '../fixtures/sandbox-refunds.js';
import { WOOSHPAY_DOCS_BODY } from '../fixtures/provider-bodies.js';

const SECRET_KEY = 'sk_test_51Hsimulator0000abcd';
const API_KEY = 'sk_test_efundpay_static_key';

const running: SimulatorHandle[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

async function wooshPay(): Promise<SimulatorHandle> {
  const sim = await startWooshPaySimulator({ secretKey: SECRET_KEY });
  running.push(sim);
  return sim;
}

async function efundpay(jwt?: { keyId: string; publicKey: CryptoKey | string }): Promise<SimulatorHandle> {
  const sim = await startEfundpaySimulator({ merchantAccountId: 'default', apiKey: API_KEY, jwt });
  running.push(sim);
  return sim;
}

/** WooshPay's error wrapper, as far as these tests read it. */
interface WooshPayErrorBody {
  error: { type: string; code?: string };
}

/** efundpay's (Gr4vy's) error body, as far as these tests read it. */
interface EfundpayErrorBody {
  code: string;
  details: unknown;
}

const wooshPayError = async (res: Response) => ((await res.json()) as WooshPayErrorBody).error;
const efundpayError = async (res: Response) => (await res.json()) as EfundpayErrorBody;

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

function getWooshPayRefund(sim: SimulatorHandle, id: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${sim.url}/v1/refunds/${id}`, {
    ...init,
    headers: { Authorization: basic(SECRET_KEY), ...init.headers },
  });
}

function getEfundpayRefund(
  sim: SimulatorHandle,
  id: string,
  { token = API_KEY, account = 'default' }: { token?: string; account?: string | null } = {},
): Promise<Response> {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  if (account !== null) headers['x-merchant-account-id'] = account;
  return fetch(`${sim.url}/refunds/${id}`, { headers });
}

describe('WooshPay simulator', () => {
  it('serves the docs example refund as JSON at GET /v1/refunds/{id} on the origin', async () => {
    const sim = await wooshPay();
    expect(sim.url).toBe(sim.origin);
    expect(sim.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const res = await getWooshPayRefund(sim, WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId);

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual(WOOSHPAY_DOCS_BODY);
  });

  it('seeds at least 12 unique refunds that all satisfy the wire schema', () => {
    expect(wooshPaySeedRefunds.length).toBeGreaterThanOrEqual(12);
    expect(new Set(wooshPaySeedRefunds.map((r) => r.id)).size).toBe(wooshPaySeedRefunds.length);
    for (const refund of wooshPaySeedRefunds) expect(wooshPayRefundSchema.safeParse(refund).success).toBe(true);
  });

  it('rejects a wrong key with 401 and masks all but its last 4 characters', async () => {
    const sim = await wooshPay();
    const res = await fetch(`${sim.url}/v1/refunds/${WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId}`, {
      headers: { Authorization: basic('sk_test_wrongkey9876') },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_****9876' },
    });
  });

  it('rejects a request without Authorization with 401', async () => {
    const sim = await wooshPay();
    const res = await fetch(`${sim.url}/v1/refunds/${WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId}`);
    expect(res.status).toBe(401);
    expect((await wooshPayError(res)).type).toBe('invalid_request_error');
  });

  it('answers an unknown refund with 404 resource_missing', async () => {
    const sim = await wooshPay();
    const res = await getWooshPayRefund(sim, 're_123');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: {
        type: 'invalid_request_error',
        code: 'resource_missing',
        message: "No such refund: 're_123'",
        param: 'id',
      },
    });
  });

  it('answers other paths and methods with 404 in the error wrapper', async () => {
    const sim = await wooshPay();
    const list = await fetch(`${sim.url}/v1/refunds`, { headers: { Authorization: basic(SECRET_KEY) } });
    const post = await getWooshPayRefund(sim, WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId, { method: 'POST' });
    for (const res of [list, post]) {
      expect(res.status).toBe(404);
      expect((await wooshPayError(res)).type).toBe('invalid_request_error');
    }
  });

  it('answers a malformed percent escape with 404 and keeps serving', async () => {
    const sim = await wooshPay();
    const bad = await getWooshPayRefund(sim, 're_%E0%A4%A');
    expect(bad.status).toBe(404);
    expect((await wooshPayError(bad)).code).toBe('resource_missing');
    expect((await getWooshPayRefund(sim, WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId)).status).toBe(200);
  });

  it('records every request, rejected ones included, with decoded ids and x-request-id', async () => {
    const sim = await wooshPay();
    await getWooshPayRefund(sim, encodeURIComponent(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId), {
      headers: { 'x-request-id': 'req-42' },
    });
    await fetch(`${sim.url}/v1/refunds/${WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId}`); // 401, still counted
    await getWooshPayRefund(sim, 're_123');

    expect(sim.requestCount()).toBe(3);
    expect(sim.requestCount(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId)).toBe(2);
    expect(sim.requestCount('re_123')).toBe(1);
    expect(sim.requests.map((r) => r.status)).toEqual([200, 401, 404]);
    expect(sim.requests[0]).toMatchObject({
      method: 'GET',
      path: `/v1/refunds/${WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId}`,
      refundId: WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId,
    });
    expect(sim.requests[0]?.headers['x-request-id']).toBe('req-42');

    sim.resetRequests();
    expect(sim.requestCount()).toBe(0);
    expect(sim.requests).toHaveLength(0);
  });
});

describe('efundpay simulator', () => {
  it('serves the docs example refund with extra Gr4vy fields under the /v4 base URL', async () => {
    const sim = await efundpay();
    expect(sim.url).toBe(`${sim.origin}/v4`);

    const res = await getEfundpayRefund(sim, EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId);

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body: unknown = await res.json();
    expect(body).toMatchObject({
      type: 'refund',
      id: EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId,
      status: 'succeeded',
      currency: 'EUR',
      amount: 1299,
      created_at: '2013-07-16T19:23:00.000+00:00',
      settled: true,
      target_type: 'payment-method',
    });
    expect(body).toHaveProperty('updated_at');
    expect(efundpayRefundSchema.safeParse(body).success).toBe(true);
  });

  it('seeds at least 10 unique refunds that all satisfy the wire schema, some in another account', () => {
    expect(efundpaySeedRefunds.length).toBeGreaterThanOrEqual(10);
    expect(new Set(efundpaySeedRefunds.map((s) => s.refund.id)).size).toBe(efundpaySeedRefunds.length);
    for (const { refund } of efundpaySeedRefunds) expect(efundpayRefundSchema.safeParse(refund).success).toBe(true);
    expect(efundpaySeedRefunds.some((s) => s.merchantAccountId !== 'default')).toBe(true);
  });

  it('rejects a wrong bearer token with 401 in the Gr4vy error shape', async () => {
    const sim = await efundpay();
    const res = await getEfundpayRefund(sim, EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId, { token: 'sk_test_wrong' });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ type: 'error', code: 'unauthorized', status: 401, details: [] });
  });

  it('requires x-merchant-account-id (400 bad_request)', async () => {
    const sim = await efundpay();
    const res = await getEfundpayRefund(sim, EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId, { account: null });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: 'error', code: 'bad_request', status: 400 });
  });

  it("hides another merchant account's refund behind 404 not_found", async () => {
    const sim = await efundpay();
    const res = await getEfundpayRefund(sim, EFUNDPAY_OTHER_MERCHANT.providerRefundId);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ type: 'error', code: 'not_found', status: 404 });
  });

  it('refuses a merchant account the credentials do not cover with 403', async () => {
    const sim = await efundpay();
    const res = await getEfundpayRefund(sim, EFUNDPAY_OTHER_MERCHANT.providerRefundId, { account: 'acme-eu' });
    expect(res.status).toBe(403);
    expect((await efundpayError(res)).code).toBe('forbidden');
  });

  it('answers a non-UUID refund id with 400 and a path detail', async () => {
    const sim = await efundpay();
    const res = await getEfundpayRefund(sim, 'not-a-uuid');
    expect(res.status).toBe(400);
    const body = await efundpayError(res);
    expect(body).toMatchObject({ type: 'error', code: 'bad_request', status: 400 });
    expect(body.details).toEqual([
      { location: 'path', pointer: '/refund_id', message: expect.any(String) as unknown, type: 'value_error' },
    ]);
    expect((await getEfundpayRefund(sim, '%E0%A4%A')).status).toBe(400);
  });

  it('answers an unknown UUID with 404', async () => {
    const sim = await efundpay();
    expect((await getEfundpayRefund(sim, EFUNDPAY_NOT_SEEDED.providerRefundId)).status).toBe(404);
  });

  describe('RS512 JWT auth', () => {
    async function signed(privateKey: CryptoKey, claims: Record<string, unknown>, kid = 'key-1'): Promise<string> {
      return new SignJWT(claims)
        .setProtectedHeader({ typ: 'JWT', alg: 'RS512', kid })
        .setIssuedAt()
        .setNotBefore('-60s')
        .setExpirationTime('1h')
        .setJti(crypto.randomUUID())
        .sign(privateKey);
    }

    it('accepts a token with transactions.read, verified by a PEM public key', async () => {
      const { publicKey, privateKey } = await generateKeyPair('RS512');
      const sim = await efundpay({ keyId: 'key-1', publicKey: await exportSPKI(publicKey) });
      const token = await signed(privateKey, { scopes: ['transactions.read'], merchantId: 'default' });
      expect((await getEfundpayRefund(sim, EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId, { token })).status).toBe(200);
    });

    it('answers 403 forbidden for a valid token without transactions.read', async () => {
      const { publicKey, privateKey } = await generateKeyPair('RS512');
      const sim = await efundpay({ keyId: 'key-1', publicKey });
      const token = await signed(privateKey, { scopes: ['transactions.write'] });
      const res = await getEfundpayRefund(sim, EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId, { token });
      expect(res.status).toBe(403);
      expect((await efundpayError(res)).code).toBe('forbidden');
    });

    it('answers 401 for a wrong kid, a foreign signing key, or a merchantId mismatch', async () => {
      const { publicKey, privateKey } = await generateKeyPair('RS512');
      const stranger = await generateKeyPair('RS512');
      const sim = await efundpay({ keyId: 'key-1', publicKey });
      const tokens = [
        await signed(privateKey, { scopes: ['transactions.read'] }, 'key-2'),
        await signed(stranger.privateKey, { scopes: ['transactions.read'] }),
        await signed(privateKey, { scopes: ['transactions.read'], merchantId: 'acme-eu' }),
      ];
      for (const token of tokens) {
        const res = await getEfundpayRefund(sim, EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId, { token });
        expect(res.status).toBe(401);
        expect((await efundpayError(res)).code).toBe('unauthorized');
      }
    });
  });
});

describe('fault injection', () => {
  it('a status fault applies `times` times, then the refund is served normally', async () => {
    const sim = await wooshPay();
    sim.injectFault(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId, { kind: 'status', status: 503, times: 2 });

    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await getWooshPayRefund(sim, WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId)).status);

    expect(statuses).toEqual([503, 503, 200]);
    expect(sim.requestCount(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId)).toBe(3);
  });

  it("a status fault uses each provider's error body and sends Retry-After when given", async () => {
    const woosh = await wooshPay();
    woosh.injectFault('*', { kind: 'status', status: 429, retryAfter: '2' });
    const limited = await getWooshPayRefund(woosh, WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(await wooshPayError(limited)).toMatchObject({ type: 'invalid_request_error', code: 'rate_limit' });

    woosh.injectFault(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId, { kind: 'status', status: 500 });
    expect((await wooshPayError(await getWooshPayRefund(woosh, WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId))).type).toBe(
      'api_error',
    );

    const efund = await efundpay();
    efund.injectFault(EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId, { kind: 'status', status: 503, times: 1 });
    const unavailable = await getEfundpayRefund(efund, EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId);
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBeNull();
    expect(await unavailable.json()).toMatchObject({ type: 'error', code: 'service_unavailable', status: 503 });
  });

  it("a refund-specific fault wins over '*'", async () => {
    const sim = await wooshPay();
    sim.injectFault('*', { kind: 'status', status: 500 });
    sim.injectFault(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId, { kind: 'status', status: 404 });
    expect((await getWooshPayRefund(sim, WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId)).status).toBe(404);
    expect((await getWooshPayRefund(sim, WOOSHPAY_EUR_PENDING.providerRefundId)).status).toBe(500);

    sim.clearFaults();
    expect((await getWooshPayRefund(sim, WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId)).status).toBe(200);
  });

  it('a latency fault delays the normal answer; setLatency delays every answer', async () => {
    const sim = await wooshPay();
    sim.injectFault(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId, { kind: 'latency', ms: 150, times: 1 });
    let started = performance.now();
    expect((await getWooshPayRefund(sim, WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);

    sim.setLatency(80);
    started = performance.now();
    expect((await getWooshPayRefund(sim, 're_123')).status).toBe(404);
    expect(performance.now() - started).toBeGreaterThanOrEqual(70);
  });

  it('a reset fault makes fetch reject and records no status', async () => {
    const sim = await wooshPay();
    sim.injectFault(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId, { kind: 'reset', times: 1 });
    await expect(getWooshPayRefund(sim, WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId)).rejects.toMatchObject({
      cause: { code: 'ECONNRESET' },
    });
    expect(sim.requests[0]?.status).toBeNull();
    expect((await getWooshPayRefund(sim, WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId)).status).toBe(200);
  });

  it('a hang fault never answers, so the client times out', async () => {
    const sim = await wooshPay();
    sim.injectFault('*', { kind: 'hang' });
    const pending = getWooshPayRefund(sim, WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId, {
      signal: AbortSignal.timeout(150),
    });
    await expect(pending).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(sim.requestCount(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId)).toBe(1);
    expect(sim.requests[0]?.status).toBeNull();
  });

  it('close() releases a hung request and resolves promptly', async () => {
    const sim = await wooshPay();
    sim.injectFault('*', { kind: 'hang' });
    const pending = getWooshPayRefund(sim, WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId);
    const outcome = pending.then(
      () => 'answered',
      () => 'rejected',
    );
    while (sim.requestCount() === 0) await new Promise((resolve) => setTimeout(resolve, 5));

    const started = performance.now();
    await sim.close();

    expect(performance.now() - started).toBeLessThan(1000);
    expect(await outcome).toBe('rejected');
  });

  it('a raw fault sends an arbitrary body and content type', async () => {
    const sim = await efundpay();
    sim.injectFault(EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId, {
      kind: 'raw',
      status: 502,
      contentType: 'text/html',
      body: '<html><body>Bad Gateway</body></html>',
      times: 1,
    });
    sim.injectFault('*', { kind: 'raw', contentType: 'application/json', body: '{"type":"refund","id":' });

    const html = await getEfundpayRefund(sim, EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId);
    expect(html.status).toBe(502);
    expect(html.headers.get('content-type')).toBe('text/html');
    expect(await html.text()).toBe('<html><body>Bad Gateway</body></html>');

    const truncated = await getEfundpayRefund(sim, EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId);
    expect(truncated.status).toBe(200);
    expect(await truncated.text()).toBe('{"type":"refund","id":');
  });

  it('a redirect fault answers 302 (or the given 3xx) with Location', async () => {
    const sim = await wooshPay();
    sim.injectFault(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId, {
      kind: 'redirect',
      location: 'https://evil.example/steal',
      times: 1,
    });
    sim.injectFault(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId, {
      kind: 'redirect',
      location: '/v1/refunds/re_123',
      status: 307,
      times: 1,
    });

    const first = await getWooshPayRefund(sim, WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId, { redirect: 'manual' });
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe('https://evil.example/steal');
    const second = await getWooshPayRefund(sim, WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId, { redirect: 'manual' });
    expect(second.status).toBe(307);
    expect(
      (await getWooshPayRefund(sim, WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId, { redirect: 'manual' })).status,
    ).toBe(200);
  });

  it('a random fault with rate 1 always fails and with rate 0 never does', async () => {
    const sim = await efundpay();
    sim.injectFault('*', { kind: 'random', rate: 1 });
    for (let i = 0; i < 5; i++)
      expect((await getEfundpayRefund(sim, EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId)).status).toBe(503);

    sim.clearFaults();
    sim.injectFault('*', { kind: 'random', rate: 1, status: 504 });
    expect(await (await getEfundpayRefund(sim, EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId)).json()).toMatchObject({
      code: 'gateway_timeout',
    });

    sim.clearFaults();
    sim.injectFault('*', { kind: 'random', rate: 0 });
    for (let i = 0; i < 5; i++)
      expect((await getEfundpayRefund(sim, EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId)).status).toBe(200);
  });

  it('rejects a fault with an invalid times or rate', async () => {
    const sim = await wooshPay();
    expect(() => sim.injectFault('*', { kind: 'hang', times: 0 })).toThrow(/positive integer/);
    expect(() => sim.injectFault('*', { kind: 'random', rate: 1.5 })).toThrow(/between 0 and 1/);
  });
});
