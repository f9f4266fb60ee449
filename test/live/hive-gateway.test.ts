/**
 * Hive Gateway (`@graphql-hive/gateway`, in process on loopback) passes refundUpdated through: a
 * client subscribes to the gateway over SSE, the gateway subscribes to this subgraph over graphql-ws
 * (`transportEntries` with `subscriptions.kind: 'ws'`, the router secret in connection_init), and
 * events published in the subgraph reach the client. The supergraph is composed with
 * @apollo/composition from schema.graphql.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayRuntime, type GatewayRuntime } from '@graphql-hive/gateway';
import { parseRefundId } from '../../src/providers/ids.js';
import { REFUNDS_TYPE_DEFS, composeSupergraph } from '../federation/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';

const SECRET = 'router-secret-for-the-hive-gateway';
const SETTLED = 'wooshpay:re_3KQu4U2eZvKYlo2C02Ndp8xy';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ env: { ROUTER_SECRET: SECRET } });
});

afterAll(async () => {
  await stack?.stop();
});

/** The supergraph of schema.graphql as it is: Hive Gateway loads @cacheTag and @requiresScopes (nothing stripped). */
function supergraph(): string {
  const result = composeSupergraph([{ name: 'refunds', url: `${stack.url}/graphql`, typeDefs: REFUNDS_TYPE_DEFS }]);
  if (!result.supergraphSdl) throw new Error(`Composition failed: ${result.errors?.map((e) => e.message).join('; ')}`);
  return result.supergraphSdl;
}

function gatewayFor(supergraphSdl: string): GatewayRuntime {
  return createGatewayRuntime({
    supergraph: supergraphSdl,
    logging: false,
    transportEntries: {
      refunds: {
        headers: [['Router-Authorization', SECRET]],
        options: {
          subscriptions: {
            kind: 'ws',
            location: '/graphql',
            options: { connectionParams: { 'Router-Authorization': SECRET } },
          },
        },
      },
    },
  });
}

/** Reads SSE `next` events' data from a response body, one at a time. */
function sseEvents(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    async next(): Promise<Record<string, unknown>> {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trim())
            .join('\n');
          if (block.includes('event: next') && data) return JSON.parse(data) as Record<string, unknown>;
          if (block.includes('event: complete')) throw new Error('Expected an event, but the stream completed');
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error(`Expected an event, but the stream ended (${buffer})`);
        buffer += decoder.decode(value, { stream: true });
      }
    },
    cancel: () => reader.cancel(),
  };
}

describe('Hive Gateway', () => {
  it('loads the supergraph composed from schema.graphql as it is (with @cacheTag and @requiresScopes)', async () => {
    const gateway = gatewayFor(supergraph());
    const response = await gateway.fetch('http://gateway/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ refund(id: "${SETTLED}") { id status } }` }),
    });
    expect(await response.json()).toEqual({ data: { refund: { id: SETTLED, status: 'SUCCEEDED' } } });
    await gateway.dispose();
  });

  it('passes refundUpdated through: the current state, then each change published in the subgraph', async () => {
    const gateway = gatewayFor(supergraph());
    const response = await gateway.fetch('http://gateway/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({
        query: `subscription Watch($id: ID!) { refundUpdated(id: $id) { id status amount { minorUnits } } }`,
        variables: { id: SETTLED },
      }),
    });
    expect(response.status).toBe(200);
    const events = sseEvents(response.body!);
    expect(await events.next()).toMatchObject({ data: { refundUpdated: { id: SETTLED, status: 'SUCCEEDED' } } });

    const [refund] = await stack.server.refundCache.readMany([parseRefundId(SETTLED)], { requestId: 'test' });
    if (!refund || refund instanceof Error) throw new Error('Expected the settled refund');
    stack.server.live.refundChanged({ ...refund, amount: { ...refund.amount, minorUnits: 1234 } });
    expect(await events.next()).toMatchObject({
      data: { refundUpdated: { id: SETTLED, amount: { minorUnits: 1234 } } },
    });
    await events.cancel();
    await gateway.dispose();
  });
});
