/**
 * The refund cache's timing, through its injectable clock instead of sleeps: the real cache over
 * the real provider reader and clients, talking to the real simulators over HTTP, with a clock the
 * test moves. Each lifetime (settled, pending, not found) and the stale-if-error bound is crossed
 * by one millisecond on either side.
 */
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/app/config.js';
import { ProviderError } from '../../src/domain/errors.js';
import type { RetrievedRefund } from '../../src/domain/retrieved-refund.js';
import { parseRefundId } from '../../src/providers/ids.js';
import type { ProviderClients } from '../../src/providers/port.js';
import { PROVIDERS } from '../../src/providers/registry.js';
import { createRefundCache } from '../../src/refunds/read/cache/refund-cache.js';
import { ProviderRefundReader, type RefundReader } from '../../src/refunds/read/refund-reader.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { startTestSimulators, type TestSimulators } from '../helpers/stack.js';

const SETTLED = 'wooshpay:re_3KQu4U2eZvKYlo2C02Ndp8xy'; // succeeded
const PENDING = 'wooshpay:re_1787731200000000002'; // pending
const MISSING = 'wooshpay:re_DoesNotExist0000000000';
const LIFETIMES = { ttlSettledMs: 300_000, ttlPendingMs: 5000, ttlNotFoundMs: 7000 };
const STALE_IF_ERROR_MS = 3_600_000;

let simulators: TestSimulators;
let clients: ProviderClients;
let clock: number;
let cache: RefundReader;

beforeAll(async () => {
  simulators = await startTestSimulators();
  const config = loadConfig({ ...simulators.env, PROVIDER_MAX_RETRIES: '0', LOG_LEVEL: 'silent' });
  const logger = pino({ level: 'silent' });
  clients = new Map(
    PROVIDERS.map((definition) => [
      definition.name,
      definition.createClient(
        config.providers[definition.name],
        { http: config.http, breaker: config.breaker },
        { logger, observe: () => undefined },
      ),
    ]),
  );
});

afterAll(async () => {
  await Promise.all([...clients.values()].map(async (client) => client?.close()));
  await simulators?.close();
});

beforeEach(() => {
  clock = Date.UTC(2026, 11, 4, 12);
  const logger = pino({ level: 'silent' });
  cache = createRefundCache({
    source: new ProviderRefundReader({ clients, freshness: LIFETIMES, now: () => clock }),
    store: new MemoryStore({ maxEntries: 100 }),
    staleIfErrorMs: STALE_IF_ERROR_MS,
    logger,
    storeWarning: () => undefined,
  });
  simulators.resetRequests();
});

async function read(id: string): Promise<RetrievedRefund | null | Error> {
  const [result] = await cache.readMany([parseRefundId(id)], { requestId: 'clock-test' });
  return result!;
}

/** GETs the simulators answered since the last reset. */
const gets = () => simulators.requestCount();

describe('the refund cache on a moving clock', () => {
  it.each([
    ['a settled refund', SETTLED, LIFETIMES.ttlSettledMs],
    ['a pending refund', PENDING, LIFETIMES.ttlPendingMs],
    ['"no such refund"', MISSING, LIFETIMES.ttlNotFoundMs],
  ])('keeps %s fresh for exactly its lifetime', async (_name, id, lifetimeMs) => {
    const first = await read(id);
    expect(first).not.toBeInstanceOf(Error);
    expect(gets()).toBe(1);
    if (first !== null && !(first instanceof Error)) {
      expect(first.freshUntil.getTime() - first.retrievedAt.getTime()).toBe(lifetimeMs);
    }
    clock += lifetimeMs - 1;
    await read(id);
    expect(gets()).toBe(1);
    clock += 1;
    await read(id);
    expect(gets()).toBe(2);
  });

  it('serves the last copy when the provider fails up to the stale-if-error bound, and the error after it', async () => {
    await read(SETTLED);
    simulators.simulators.wooshpay.injectFault('*', { kind: 'status', status: 503 });
    try {
      clock += STALE_IF_ERROR_MS;
      const stale = await read(SETTLED);
      expect(stale).toMatchObject({ id: SETTLED, stale: true });
      clock += 1;
      const failed = await read(SETTLED);
      expect(failed).toBeInstanceOf(ProviderError);
      expect((failed as ProviderError).code).toBe('PROVIDER_UNAVAILABLE');
    } finally {
      simulators.simulators.wooshpay.clearFaults();
    }
  });
});
