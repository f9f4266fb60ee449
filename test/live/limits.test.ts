/**
 * The WebSocket transport's checks and limits, each provoked over a real connection: the router
 * secret on the upgrade or in connection_init, the browser origin, connections per process,
 * subscriptions per connection, message size, depth, connection_init timeout, a subscriber that does
 * not read, and the 1001 close of a graceful shutdown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRefundId } from '../../src/providers/ids.js';
import { SLOW_CONSUMER_CLOSE_CODE } from '../../src/server/ws/graphql-ws-server.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { REFUND_UPDATED, openAcknowledged, openRaw, upgradeStatus } from './live-helpers.js';

const SECRET = 'router-secret-for-the-live-limits';
const ROUTER = { 'Router-Authorization': SECRET };
const SETTLED = 'wooshpay:re_3KQu4U2eZvKYlo2C02Ndp8xy';
const MAX_DOCUMENT_BYTES = 4096;

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    env: {
      ROUTER_SECRET: SECRET,
      MAX_SUBSCRIPTIONS_PER_CONNECTION: '2',
      MAX_WS_CONNECTIONS: '3',
      MAX_DOCUMENT_BYTES: String(MAX_DOCUMENT_BYTES),
      MAX_QUERY_DEPTH: '4',
    },
    server: { ws: { connectionInitWaitMs: 300 } },
  });
});

afterAll(async () => {
  await stack?.stop();
});

function subscribeMessage(id: string, query = REFUND_UPDATED, variables: Record<string, unknown> = { id: SETTLED }) {
  return { id, type: 'subscribe', payload: { query, variables } };
}

describe('the router secret', () => {
  it('refuses an upgrade with a wrong Router-Authorization header (401)', async () => {
    expect(await upgradeStatus(stack.url, { 'Router-Authorization': 'wrong-secret-wrong-secret' })).toBe(401);
  });

  it('closes a connection whose upgrade and connection_init both lack it (4403)', async () => {
    const connection = await openRaw(stack.url);
    connection.send({ type: 'connection_init', payload: { 'Router-Authorization': 'not-it' } });
    expect((await connection.closed).code).toBe(4403);
  });

  it('accepts it in the upgrade header or in the connection_init payload', async () => {
    const byHeader = await openAcknowledged(stack.url, undefined, ROUTER);
    byHeader.send(subscribeMessage('1'));
    expect(await byHeader.message('next', '1')).toMatchObject({
      payload: { data: { refundUpdated: { id: SETTLED } } },
    });
    byHeader.close();
    const byPayload = await openAcknowledged(stack.url, { 'router-authorization': SECRET });
    byPayload.close();
    await Promise.all([byHeader.closed, byPayload.closed]);
  });
});

describe('the browser origin', () => {
  it('refuses another site (403) and accepts the page’s own origin', async () => {
    expect(await upgradeStatus(stack.url, { ...ROUTER, Origin: 'https://evil.example' })).toBe(403);
    expect(await upgradeStatus(stack.url, { ...ROUTER, Origin: stack.url })).toBe(101);
  });
});

describe('limits', () => {
  it('refuses a connection beyond MAX_WS_CONNECTIONS with 503, and accepts one again when one closes', async () => {
    const open = await Promise.all([1, 2, 3].map(() => openAcknowledged(stack.url, undefined, ROUTER)));
    expect(await upgradeStatus(stack.url, ROUTER)).toBe(503);
    open[0]!.close();
    await open[0]!.closed;
    expect(await upgradeStatus(stack.url, ROUTER)).toBe(101);
    for (const connection of open) connection.close();
    await Promise.all(open.map((connection) => connection.closed));
  });

  it('fails a subscription beyond MAX_SUBSCRIPTIONS_PER_CONNECTION alone; the connection stays up', async () => {
    const connection = await openAcknowledged(stack.url, undefined, ROUTER);
    connection.send(subscribeMessage('a'));
    connection.send(subscribeMessage('b'));
    await connection.message('next', 'a');
    await connection.message('next', 'b');
    connection.send(subscribeMessage('c'));
    const refused = await connection.message('error', 'c');
    expect(refused.payload).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('MAX_SUBSCRIPTIONS_PER_CONNECTION') as unknown,
        extensions: { code: 'BAD_REQUEST' },
      }),
    ]);
    // One completed makes room again on the same connection.
    connection.send({ id: 'a', type: 'complete' });
    connection.send(subscribeMessage('d'));
    expect(await connection.message('next', 'd')).toMatchObject({
      payload: { data: { refundUpdated: { id: SETTLED } } },
    });
    connection.close();
    await connection.closed;
  });

  it('fails a document deeper than MAX_QUERY_DEPTH, and a document over MAX_DOCUMENT_BYTES, on that subscription', async () => {
    const connection = await openAcknowledged(stack.url, undefined, ROUTER);
    const shallow = `subscription { refundUpdated(id: "${SETTLED}") { id amount { currencyCode } } }`;
    connection.send(subscribeMessage('ok', shallow, {}));
    await connection.message('next', 'ok');
    const tooDeep = `subscription { refundUpdated(id: "${SETTLED}") { details { ... on WooshPayRefundDetails { metadata { key } } } } }`;
    connection.send(subscribeMessage('deep', tooDeep, {}));
    const deepError = await connection.message('error', 'deep');
    expect(JSON.stringify(deepError.payload)).toMatch(/depth/i);
    const padded = `subscription { refundUpdated(id: "${SETTLED}") { id } } ${'#'.repeat(MAX_DOCUMENT_BYTES)}`;
    connection.send(subscribeMessage('big', padded, {}));
    const bigError = await connection.message('error', 'big');
    expect(bigError.payload).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('MAX_DOCUMENT_BYTES') as unknown,
        extensions: { code: 'BAD_REQUEST' },
      }),
    ]);
    expect(connection.socket.readyState).toBe(connection.socket.OPEN);
    connection.close();
    await connection.closed;
  });

  it('closes a connection that sends a message over the size limit (1009)', async () => {
    const connection = await openAcknowledged(stack.url, undefined, ROUTER);
    connection.send(
      subscribeMessage('huge', `subscription { refundUpdated(id: "${SETTLED}") { id } }`, {
        padding: 'x'.repeat(MAX_DOCUMENT_BYTES * 3),
      }),
    );
    expect((await connection.closed).code).toBe(1009);
  });

  it('closes a connection that sends no connection_init in time (4408)', async () => {
    const connection = await openRaw(stack.url, { headers: ROUTER });
    expect((await connection.closed).code).toBe(4408);
  });

  it('refuses queries over WebSocket: they go over HTTP, where their limits apply', async () => {
    const connection = await openAcknowledged(stack.url, undefined, ROUTER);
    connection.send(subscribeMessage('q', `query { refund(id: "${SETTLED}") { id } }`, {}));
    const refused = await connection.message('error', 'q');
    expect(JSON.stringify(refused.payload)).toContain('Only subscriptions are served over WebSocket');
    connection.close();
    await connection.closed;
  });
});

describe('a subscriber that does not read', () => {
  it('is closed with the slow-consumer code and a warn line; its dropped events are counted', async () => {
    const connection = await openAcknowledged(stack.url, undefined, ROUTER);
    // A large event (every alias repeats the refund's fields) fills the socket buffers sooner.
    const fields = Array.from(
      { length: 40 },
      (_, index) => `f${index}: providerRefundId s${index}: providerStatus`,
    ).join(' ');
    connection.send(
      subscribeMessage(
        'slow',
        `subscription { refundUpdated(id: "${SETTLED}") { id amount { minorUnits } ${fields} } }`,
        {},
      ),
    );
    await connection.message('next', 'slow');
    connection.socket.pause();
    const [refund] = await stack.server.refundCache.readMany([parseRefundId(SETTLED)], { requestId: 'test' });
    if (!refund || refund instanceof Error) throw new Error('Expected the settled refund');
    const warned = () => stack.logs.some((line) => line.event === 'ws.slow_consumer');
    for (let change = 1; change <= 200_000 && !warned(); change += 1) {
      stack.server.live.refundChanged({ ...refund, amount: { ...refund.amount, minorUnits: change } });
      if (change % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(warned()).toBe(true);
    connection.socket.resume();
    expect((await connection.closed).code).toBe(SLOW_CONSUMER_CLOSE_CODE);
    const metrics = await (await fetch(`${stack.url}/metrics`)).text();
    const dropped = /refunds_subscription_events_dropped_total\{field="refundUpdated"\} (\d+)/.exec(metrics);
    expect(Number(dropped?.[1])).toBeGreaterThan(0);
  });
});

describe('graceful shutdown', () => {
  it('completes every subscription, then closes with 1001', async () => {
    const own = await startStack({ server: { ws: { connectionInitWaitMs: 300 } } });
    const connection = await openAcknowledged(own.url);
    connection.send(subscribeMessage('one'));
    connection.send(subscribeMessage('two'));
    await connection.message('next', 'one');
    await connection.message('next', 'two');
    await own.stop();
    expect((await connection.closed).code).toBe(1001);
    const completed = connection.messages.filter((message) => message.type === 'complete').map((message) => message.id);
    expect(completed.sort()).toEqual(['one', 'two']);
  });
});
