/**
 * Apollo Router's response-cache invalidation: with ROUTER_INVALIDATION_URL and
 * ROUTER_INVALIDATION_KEY set, a refund change the ledger records (here: createRefund, then the
 * simulator's signed webhook settling it) is POSTed to the router's invalidation endpoint as the
 * cache tags of the refund and of its payment, with the key as `Authorization`. A refund only a
 * payment's listing brings (made at the simulator, never read here; no webhooks, no reconciler) is
 * POSTed too: when the listing first shows it, and when a later listing shows it settled. The
 * endpoint is a loopback server standing in for the router; the key never reaches a log line.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { useStack } from '../helpers/stack.js';

const KEY = 'router-invalidation-key-for-tests';
const PAYMENT = 'pi_1787730900000000003'; // JPY 20000
/** A seeded efundpay transaction (USD 100.00); efundpay lists its refunds. */
const EFUNDPAY_TRANSACTION = '3f8a9c1e-7b2d-4e6f-9a0b-1c2d3e4f5a60';

interface Invalidation {
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly body: Array<{ kind: string; subgraphs: string[]; cache_tag: string }>;
}

let router: Server;
let routerUrl = '';
const received: Invalidation[] = [];

beforeAll(async () => {
  router = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Invalidation['body'],
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"count":1}');
    });
  });
  await new Promise<void>((resolve) => router.listen(0, '127.0.0.1', resolve));
  routerUrl = `http://127.0.0.1:${(router.address() as AddressInfo).port}/invalidation`;
});
afterAll(async () => {
  await new Promise((resolve) => router?.close(resolve));
});

describe('router cache invalidation', () => {
  const stack = useStack({
    settleMs: 300,
    deliverWebhooks: true,
    env: {
      get ROUTER_INVALIDATION_URL() {
        return routerUrl;
      },
      ROUTER_INVALIDATION_KEY: KEY,
    },
  });

  it('POSTs the refund and payment cache tags when createRefund records a refund and when its webhook settles it', async () => {
    const created = await stack.graphql<{ createRefund: { refund: { id: string } } }>(
      /* GraphQL */ `
        mutation ($input: CreateRefundInput!) {
          createRefund(input: $input) {
            ... on RefundCreated {
              refund {
                id
              }
            }
          }
        }
      `,
      {
        input: {
          provider: 'WOOSHPAY',
          paymentId: PAYMENT,
          amount: { minorUnits: 100, currencyCode: 'JPY' },
          reason: 'REQUESTED_BY_CUSTOMER',
          idempotencyKey: `invalidation-${Date.now()}`,
        },
      },
    );
    const id = created.body.data!.createRefund.refund.id;
    const expected = [
      { kind: 'cache_tag', subgraphs: ['refunds'], cache_tag: `refund-${id}` },
      { kind: 'cache_tag', subgraphs: ['refunds'], cache_tag: `payment-wooshpay:${PAYMENT}` },
    ];
    // One POST when createRefund records the refund, one when the webhook's re-read changes it.
    await vi.waitFor(
      () =>
        expect(received.filter((post) => post.body.some((tag) => tag.cache_tag === `refund-${id}`))).toHaveLength(2),
      {
        timeout: 10_000,
        interval: 50,
      },
    );
    for (const post of received) {
      expect(post.authorization).toBe(KEY);
      expect(post.contentType).toBe('application/json');
      expect(post.body).toEqual(expected);
    }
    expect(stack.rawLogs.join('\n')).not.toContain(KEY);
  });
});

describe('router cache invalidation of what a payment listing brings', () => {
  const stack = useStack({
    // Long enough for the first listing to see the refund pending; no webhook is delivered (the
    // default), and the reconciler is off: only a listing can tell the service of this refund.
    settleMs: 1500,
    env: {
      get ROUTER_INVALIDATION_URL() {
        return routerUrl;
      },
      ROUTER_INVALIDATION_KEY: KEY,
      RECONCILE_ENABLED: 'false',
    },
  });

  /** The payment's refunds, listed by efundpay. */
  const list = async () => {
    const listed = await stack.graphql<{ payment: { refunds: { nodes: Array<{ id: string; status: string }> } } }>(
      /* GraphQL */ `
        query ($id: ID!) {
          payment(id: $id) {
            refunds(first: 50) {
              nodes {
                id
                status
              }
            }
          }
        }
      `,
      { id: `efundpay:${EFUNDPAY_TRANSACTION}` },
    );
    expect(listed.body.errors).toBeUndefined();
    return listed.body.data!.payment.refunds.nodes;
  };

  it('POSTs the cache tags of a refund a listing brings new, and again when a listing brings it settled', async () => {
    // Made at efundpay directly: the service has never seen this refund.
    const made = await fetch(`${stack.simulators.efundpay.url}/transactions/${EFUNDPAY_TRANSACTION}/refunds`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${stack.env.EFUNDPAY_API_KEY}`,
        'x-merchant-account-id': stack.env.EFUNDPAY_MERCHANT_ACCOUNT_ID!,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        amount: 100,
        currency: 'USD',
        reason: 'Customer request',
        external_identifier: `listing-invalidation-${Date.now()}`,
        webhooks_url: 'https://shop.example.com/hook',
      }),
    });
    expect(made.status).toBe(201);
    const madeAt = Date.now();
    const id = `efundpay:${((await made.json()) as { id: string }).id}`;
    const posts = () => received.filter((post) => post.body.some((tag) => tag.cache_tag === `refund-${id}`));
    const expected = [
      { kind: 'cache_tag', subgraphs: ['refunds'], cache_tag: `refund-${id}` },
      { kind: 'cache_tag', subgraphs: ['refunds'], cache_tag: `payment-efundpay:${EFUNDPAY_TRANSACTION}` },
    ];
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(posts()).toEqual([]);

    // The first listing brings it new (still pending): the ledger records it, and the change goes on.
    expect(await list()).toContainEqual({ id, status: 'PENDING' });
    await vi.waitFor(() => expect(posts()).toHaveLength(1), { timeout: 5000, interval: 20 });

    // Once efundpay settled it, the next listing brings the change.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, madeAt + 1700 - Date.now())));
    expect(await list()).toContainEqual({ id, status: 'SUCCEEDED' });
    await vi.waitFor(() => expect(posts()).toHaveLength(2), { timeout: 5000, interval: 20 });
    for (const post of posts()) {
      expect(post.authorization).toBe(KEY);
      expect(post.body).toEqual(expected);
    }

    // Listed again, unchanged: nothing more goes on.
    expect(await list()).toContainEqual({ id, status: 'SUCCEEDED' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(posts()).toHaveLength(2);
  });
});
