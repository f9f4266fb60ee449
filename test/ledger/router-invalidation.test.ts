/**
 * Apollo Router's response-cache invalidation: with ROUTER_INVALIDATION_URL and
 * ROUTER_INVALIDATION_KEY set, a refund change the ledger records (here: createRefund, then the
 * simulator's signed webhook settling it) is POSTed to the router's invalidation endpoint as the
 * cache tags of the refund and of its payment, with the key as `Authorization`. The endpoint is a
 * loopback server standing in for the router; the key never reaches a log line.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { useStack } from '../helpers/stack.js';

const KEY = 'router-invalidation-key-for-tests';
const PAYMENT = 'pi_1787730900000000003'; // JPY 20000

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
