/**
 * The ledger kept current, end to end through the composition root: createRefund records a refund,
 * the simulator's signed webhook settles it (the cache follows at once), the reconciler settles it
 * where no webhook comes, a replica killed between recording an event and processing it leaves the
 * event to another, concurrent deliveries to two replicas over one PostgreSQL are processed once,
 * and a ledger that is down never fails a read. Real simulators, real HTTP, Debian's PostgreSQL.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startReplica, type Replica } from '../helpers/replica.js';
import { usePostgres } from '../helpers/postgres.js';
import { startStack, startTestSimulators, useStack, type Stack, type TestSimulators } from '../helpers/stack.js';
import { spawnSubgraph, type SubgraphProcess } from '../helpers/subgraph-process.js';

const PAYMENT = 'pi_1787730900000000001'; // USD 100.00
const CREATE = /* GraphQL */ `
  mutation ($input: CreateRefundInput!) {
    createRefund(input: $input) {
      __typename
      ... on RefundCreated {
        refund {
          id
          providerRefundId
          status
          lastChangedAt
        }
      }
    }
  }
`;
const READ = `query ($id: ID!) { refund(id: $id) { id status lastChangedAt } }`;

interface Created {
  readonly id: string;
  readonly providerRefundId: string;
  readonly status: string;
  readonly lastChangedAt: string | null;
}

let keys = 0;
/** Sends a GraphQL operation (a stack's, a replica's, a child process's). */
type Post = (query: string, variables?: Record<string, unknown>) => ReturnType<Stack['graphql']>;

async function createRefund(post: Post, minorUnits = 100): Promise<Created> {
  keys += 1;
  const answer = await post(CREATE, {
    input: {
      provider: 'WOOSHPAY',
      paymentId: PAYMENT,
      amount: { minorUnits, currencyCode: 'USD' },
      reason: 'REQUESTED_BY_CUSTOMER',
      idempotencyKey: `ledger-loop-${process.pid}-${Date.now()}-${keys}`,
    },
  });
  expect(answer.body.errors).toBeUndefined();
  const data = answer.body.data as { createRefund: { __typename: string; refund: Created } } | undefined;
  expect(data?.createRefund.__typename).toBe('RefundCreated');
  return data!.createRefund.refund;
}

const logged = (logs: ReadonlyArray<Record<string, unknown>>, event: string, match: Record<string, unknown> = {}) =>
  logs.filter((line) => line.event === event && Object.entries(match).every(([key, value]) => line[key] === value));

describe('the sandbox loop: createRefund, then the webhook settles it (SQLite in memory, cache on)', () => {
  const stack = useStack({ settleMs: 300, deliverWebhooks: true, env: { CACHE_ENABLED: 'true' } });

  it('answers PENDING with lastChangedAt set; after the signed webhook a read shows SUCCEEDED from the cache', async () => {
    const created = await createRefund((query, variables) => stack.graphql(query, variables));
    expect(created.status).toBe('PENDING');
    expect(created.lastChangedAt).not.toBeNull();
    await vi.waitFor(
      () =>
        expect(logged(stack.logs, 'webhook.processed', { refundId: created.id, status: 'SUCCEEDED' })).toHaveLength(1),
      { timeout: 10_000, interval: 50 },
    );
    stack.resetCounters();
    const read = await stack.graphql<{ refund: Created }>(READ, { id: created.id });
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data!.refund.status).toBe('SUCCEEDED');
    expect(Date.parse(read.body.data!.refund.lastChangedAt!)).toBeGreaterThan(Date.parse(created.lastChangedAt!));
    // The pending copy was fresh for CACHE_TTL_PENDING_S (5 s): only the webhook can have replaced it.
    expect(stack.providerCalls()).toBe(0);
  });
});

describe('the reconciler, with no webhooks (RECONCILE_INTERVAL_S=1, cache on)', () => {
  const stack = useStack({ settleMs: 300, env: { CACHE_ENABLED: 'true', RECONCILE_INTERVAL_S: '1' } });

  it('takes a PENDING refund to SUCCEEDED, and the cache follows', async () => {
    const created = await createRefund((query, variables) => stack.graphql(query, variables));
    expect(created.status).toBe('PENDING');
    await vi.waitFor(
      async () => {
        const metrics = await (await fetch(`${stack.url}/metrics`)).text();
        expect(metrics).toMatch(/^refunds_reconciler_changes_total [1-9]/m);
      },
      { timeout: 15_000, interval: 200 },
    );
    stack.resetCounters();
    const read = await stack.graphql<{ refund: Created }>(READ, { id: created.id });
    expect(read.body.data!.refund.status).toBe('SUCCEEDED');
    expect(stack.providerCalls()).toBe(0);
    expect(logged(stack.logs, 'webhook.processed')).toHaveLength(0);
  });
});

describe('replicas over one PostgreSQL', () => {
  const postgres = usePostgres();
  let simulators: TestSimulators;
  let child: SubgraphProcess | null = null;
  const stacks: Array<{ stop(): Promise<void> }> = [];

  beforeAll(async () => {
    simulators = await startTestSimulators({ settleMs: 200 });
  });
  afterEach(async () => {
    child?.child.kill('SIGKILL');
    child = null;
    await Promise.all(stacks.splice(0).map((stack) => stack.stop()));
    simulators.simulators.wooshpay.clearFaults();
    simulators.simulators.wooshpay.webhooks?.setTarget(null);
  });
  afterAll(async () => {
    await simulators?.close();
  });

  it('processes an event recorded by a replica killed before it could process it, on another replica', async () => {
    const database = await postgres().createDatabase();
    child = spawnSubgraph({ ...simulators.env, DATABASE_URL: database, RECONCILE_ENABLED: 'false' });
    const { url } = await child.ready();
    const origin = url.replace(/\/graphql$/, '');
    const post: Post = async (query, variables) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as never };
    };
    const created = await createRefund(post);
    // Its re-read after the webhook hangs: the event is recorded and answered, never processed.
    simulators.simulators.wooshpay.injectFault(created.providerRefundId, { kind: 'hang' });
    simulators.simulators.wooshpay.webhooks!.setTarget(`${origin}/webhooks/wooshpay`);
    expect(await simulators.simulators.wooshpay.webhooks!.send(created.providerRefundId)).toBe(true);
    await child.waitForLog((line) => line.event === 'webhook.recorded');
    child.child.kill('SIGKILL');
    await child.exited;
    expect(logged(child.logs, 'webhook.processed')).toHaveLength(0);
    simulators.simulators.wooshpay.clearFaults();

    const other = await startStack({ simulators, env: { DATABASE_URL: database, RECONCILE_INTERVAL_S: '1' } });
    stacks.push(other);
    await vi.waitFor(() => expect(logged(other.logs, 'webhook.processed', { refundId: created.id })).toHaveLength(1), {
      timeout: 15_000,
      interval: 100,
    });
  });

  it('processes one event once when it reaches two replicas at the same time', async () => {
    const database = await postgres().createDatabase();
    const a = await startStack({ simulators, env: { DATABASE_URL: database, RECONCILE_ENABLED: 'false' } });
    stacks.push(a);
    const b: Replica = await startReplica(a, { DATABASE_URL: database });
    stacks.push(b);
    const relay = await startRelay([a.url, b.url]);
    stacks.push({ stop: () => new Promise((resolve) => relay.server.close(() => resolve())) });
    // A refund made outside this service (seeded as if in the provider's dashboard): only this one event names it.
    const outside = 're_1787731200000000003';
    const created = { id: `wooshpay:${outside}` };
    simulators.simulators.wooshpay.webhooks!.setTarget(`${relay.url}/webhooks/wooshpay`);
    expect(await simulators.simulators.wooshpay.webhooks!.send(outside)).toBe(true);
    expect(relay.answers).toEqual([200, 200]);
    const all = () => [...a.logs, ...b.logs];
    await vi.waitFor(() => expect(logged(all(), 'webhook.processed', { refundId: created.id })).toHaveLength(1), {
      timeout: 10_000,
      interval: 50,
    });
    const eventId = logged(all(), 'webhook.processed', { refundId: created.id })[0]!.eventId;
    expect(logged(all(), 'webhook.recorded', { eventId })).toHaveLength(1);
    expect(logged(all(), 'webhook.duplicate', { eventId })).toHaveLength(1);
    // The refund made outside is in the ledger now: lastChangedAt is set.
    const read = await a.graphql<{ refund: Created }>(READ, { id: created.id });
    expect(read.body.data!.refund.lastChangedAt).not.toBeNull();
    // Nothing else comes later.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(logged(all(), 'webhook.processed', { refundId: created.id })).toHaveLength(1);
  });

  it('answers reads while the ledger is down: the refund, with lastChangedAt null', async () => {
    const server = await (await import('../helpers/postgres.js')).startPostgres();
    let stopped = false;
    try {
      const stack = await startStack({ simulators, env: { DATABASE_URL: await server.createDatabase() } });
      stacks.push(stack);
      const created = await createRefund((query, variables) => stack.graphql(query, variables));
      await server.stop();
      stopped = true;
      const read = await stack.graphql<{ refund: Created }>(READ, { id: created.id });
      expect(read.body.errors).toBeUndefined();
      expect(read.body.data!.refund).toMatchObject({ id: created.id, lastChangedAt: null });
      const refunds = await stack.graphql<{ refunds: Created[] }>(`{ refunds(ids: ["${created.id}"]) { id status } }`);
      expect(refunds.body.errors).toBeUndefined();
      expect(refunds.body.data!.refunds[0]!.id).toBe(created.id);
      await vi.waitFor(async () => {
        const ready = (await (await fetch(`${stack.url}/ready`)).json()) as { ledger: { status: string } };
        expect(ready.ledger.status).toBe('unavailable');
      });
    } finally {
      if (!stopped) await server.stop();
    }
  });
});

/** A loopback relay that hands each request, bytes and headers as received, to every target at once. */
async function startRelay(targets: readonly string[]): Promise<{ server: Server; url: string; answers: number[] }> {
  const answers: number[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string' && !['host', 'content-length', 'connection'].includes(name))
          headers[name] = value;
      }
      void Promise.all(
        targets.map(async (target) => {
          const response = await fetch(`${target}${req.url ?? '/'}`, { method: 'POST', headers, body });
          return { status: response.status, text: await response.text() };
        }),
      ).then((replies) => {
        answers.push(...replies.map((reply) => reply.status));
        res.writeHead(replies[0]!.status, { 'content-type': 'application/json' }).end(replies[0]!.text);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, answers };
}
