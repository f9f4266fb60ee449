/**
 * The simulators' webhook delivery against a bare receiver on loopback: retries with backoff until
 * the provider's expected answer, a bounded number of times, and signed headers in each
 * provider's documented format.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedProviderSimulator } from '../../src/providers/definition.js';
import { PROVIDERS } from '../../src/providers/registry.js';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
}

/** Answers each request with the next scripted answer (the last one repeats). */
async function startReceiver(answers: Array<{ status: number; body: string }>) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const answer = answers[Math.min(received.length - 1, answers.length - 1)]!;
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function definitionOf(name: string) {
  const definition = PROVIDERS.find((candidate) => candidate.name === name);
  if (!definition) throw new Error(`Expected ${name} to be registered`);
  return definition;
}

describe('simulator webhook delivery', () => {
  let wooshpay: StartedProviderSimulator;
  let efundpay: StartedProviderSimulator;
  beforeAll(async () => {
    const options = { latencyMs: 0, settleMs: 100, env: {}, webhookRetry: { maxAttempts: 4, baseDelayMs: 40 } };
    wooshpay = await definitionOf('WOOSHPAY').startSimulator(options);
    efundpay = await definitionOf('EFUNDPAY').startSimulator(options);
  });
  afterAll(async () => {
    await Promise.all([wooshpay?.handle.close(), efundpay?.handle.close()]);
  });

  it('WooshPay: retries a 5xx with growing delays until a 2xx, resending the same signed event', async () => {
    const receiver = await startReceiver([
      { status: 503, body: '{}' },
      { status: 500, body: '{}' },
      { status: 200, body: '{"received":true}' },
    ]);
    try {
      const webhooks = wooshpay.handle.webhooks!;
      webhooks.setTarget(receiver.url);
      expect(await webhooks.send('re_1787731200000000001')).toBe(true);
      expect(receiver.received).toHaveLength(3);
      const [first, second, third] = receiver.received.map((request) => request.at);
      expect(second! - first!).toBeGreaterThanOrEqual(35);
      expect(third! - second!).toBeGreaterThanOrEqual(75);
      const event = JSON.parse(receiver.received[0]!.body) as Record<string, unknown>;
      expect(event).toMatchObject({
        object: 'event',
        type: 'charge.refund.updated',
        data: { object: { id: 're_1787731200000000001', object: 'refund', status: 'succeeded' } },
      });
      expect(receiver.received.every((request) => request.body === receiver.received[0]!.body)).toBe(true);
      expect(receiver.received[0]!.headers['wooshpay-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(webhooks.deliveries.slice(-3).map((delivery) => [delivery.attempt, delivery.status])).toEqual([
        [1, 503],
        [2, 500],
        [3, 200],
      ]);
    } finally {
      await receiver.close();
    }
  });

  it('efundpay: a 200 with any other body is not delivered; attempts stop at the bound', async () => {
    const receiver = await startReceiver([{ status: 200, body: '{"ok":true}' }]);
    try {
      const webhooks = efundpay.handle.webhooks!;
      webhooks.setTarget(receiver.url);
      expect(await webhooks.send('6a1d4e46-14ed-4fe1-a45f-eff4e025d211')).toBe(false);
      expect(receiver.received).toHaveLength(4);
      const { headers, body } = receiver.received[0]!;
      expect(headers.timestamp).toMatch(/^\d{14}$/);
      expect(headers.timezone).toBe('Asia/Shanghai');
      expect(headers.signature).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
      expect(JSON.parse(body)).toMatchObject({
        merchant_transaction_id: 'refund-ext-1001',
        original_transaction_id: '21e7e301-81e7-4e5a-9928-d35624e5aefc',
        refund_data: { refund_status: 'RS', refund_currency_code: 'EUR' },
      });
    } finally {
      await receiver.close();
    }
  });

  it('efundpay: the exact answer ends the retries at once', async () => {
    const receiver = await startReceiver([{ status: 200, body: '{"code":"200","message":"SUCCESS"}' }]);
    try {
      const webhooks = efundpay.handle.webhooks!;
      webhooks.setTarget(receiver.url);
      expect(await webhooks.send('6a1d4e46-14ed-4fe1-a45f-eff4e025d211', { times: 2 })).toBe(true);
      expect(receiver.received).toHaveLength(2);
      // A second delivery of one event is the same notification.
      expect(receiver.received[1]!.body).toBe(receiver.received[0]!.body);
    } finally {
      await receiver.close();
    }
  });

  it('a refund created at the simulator is sent when it settles', async () => {
    const receiver = await startReceiver([{ status: 200, body: '{"received":true}' }]);
    try {
      wooshpay.handle.webhooks!.setTarget(receiver.url);
      const response = await fetch(`${wooshpay.handle.url}/v1/refunds`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${wooshpay.env.WOOSHPAY_SECRET_KEY}:`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ payment_intent: 'pi_1787730900000000002', amount: '100' }),
      });
      const created = (await response.json()) as { id: string };
      expect(receiver.received).toHaveLength(0);
      await new Promise((resolve) => setTimeout(resolve, 400));
      await wooshpay.handle.webhooks!.idle();
      const events = receiver.received.map(
        (request) => JSON.parse(request.body) as { data: { object: { id: string; status: string } } },
      );
      expect(events.map((event) => [event.data.object.id, event.data.object.status])).toEqual([
        [created.id, 'succeeded'],
      ]);
    } finally {
      await receiver.close();
    }
  });
});
