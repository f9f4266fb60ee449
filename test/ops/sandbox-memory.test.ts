/**
 * A long-lived sandbox keeps a flat heap: once its simulators' request logs are full, 10,000 more
 * GETs over loopback grow the heap after a full GC by far less than the ~630 bytes per request
 * an unbounded request log kept (about 6 MB here; per hour of sandbox traffic, far more than the
 * 128 MB heap `npm start` runs with). Needs `--expose-gc` in the test workers (vitest.config.ts
 * `execArgv`).
 */
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulators, type RunningSimulators } from '../../src/sandbox/start-sandbox.js';
import type { SimulatorHandle } from '../../src/simulator-kit/fault-injection.js';
import { REQUEST_LOG_CAPACITY } from '../../src/simulator-kit/request-log.js';
import { WOOSHPAY_USD_SPEC_EXAMPLE } from '../fixtures/sandbox-refunds.js';

const GETS = 10_000;
/** Fills the request log, so the heap baseline already holds a full log. */
const WARM_UP_GETS = REQUEST_LOG_CAPACITY;
const CONCURRENCY = 8;
/** A tenth of what the unbounded log kept for GETS requests. */
const MAX_HEAP_GROWTH_BYTES = (GETS * 630) / 10;

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) {
    throw new Error('Expected global.gc: run the test workers with --expose-gc (vitest.config.ts execArgv)');
  }
  gc();
  gc();
}

function heapAfterGc(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

describe('sandbox memory', () => {
  let sandbox: RunningSimulators;
  let wooshpay: SimulatorHandle;
  const agent = new Agent({ connections: CONCURRENCY, pipelining: 1 });

  beforeAll(async () => {
    // The sandbox's own start-up: every provider's simulator with fresh credentials.
    sandbox = await startSimulators();
    wooshpay = sandbox.simulators.get('WOOSHPAY')!;
  });
  afterAll(async () => {
    await agent.close();
    await sandbox?.close();
  });

  /** `count` authenticated GETs of one seeded refund, CONCURRENCY at a time; returns the statuses seen. */
  async function getMany(count: number): Promise<Map<number, number>> {
    const url = `${wooshpay.url}/v1/refunds/${WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId}`;
    const authorization = `Basic ${Buffer.from(`${sandbox.env.WOOSHPAY_SECRET_KEY}:`).toString('base64')}`;
    const statuses = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const n = next++;
        const response = await request(url, {
          dispatcher: agent,
          headers: { authorization, 'x-request-id': `memory-${n}` },
        });
        await response.body.dump();
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    return statuses;
  }

  it(`keeps the heap flat over ${GETS.toLocaleString('en')} simulated GETs`, { timeout: 120_000 }, async () => {
    // Warm up first so connection pools, JIT code, lazily built state and a full log are in the baseline;
    // then a second round, so state that grows once more after the log is full (seen once on a busy
    // machine: 5% over the bound) is in it too.
    await getMany(WARM_UP_GETS);
    await getMany(WARM_UP_GETS);
    const before = heapAfterGc();

    const statuses = await getMany(GETS);
    const after = heapAfterGc();

    expect(Object.fromEntries(statuses)).toEqual({ 200: GETS });
    // The counts stay exact while the log keeps only the latest records.
    expect(wooshpay.requestCount()).toBe(2 * WARM_UP_GETS + GETS);
    expect(wooshpay.requestCount(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId)).toBe(2 * WARM_UP_GETS + GETS);
    expect(wooshpay.responseCount(200)).toBe(2 * WARM_UP_GETS + GETS);
    expect(after - before).toBeLessThan(MAX_HEAP_GROWTH_BYTES);
    expect(wooshpay.requests).toHaveLength(REQUEST_LOG_CAPACITY);
  });
});
