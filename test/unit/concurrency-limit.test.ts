/**
 * The per-provider concurrency limit: slots in arrival order, aborted waiters leave the queue, and
 * the adaptive limit (AIMD) starts at 32, grows while answers come back in time with the limit in
 * use, shrinks by a quarter once per round trip on 429/503/timeouts, and stays within its bounds;
 * PROVIDER_CONCURRENCY fixes it. Also how the settings choose between the two.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/app/config.js';
import {
  createConcurrencyLimiter,
  eventLoopSaturated,
  type ConcurrencyLimiter,
  type ConcurrencySlot,
} from '../../src/providers/http/concurrency-limit.js';
import { concurrencySettings, DEFAULT_CONCURRENCY_BOUNDS } from '../../src/providers/http/provider-http.js';
import type { ProviderHttpSettings } from '../../src/providers/http/types.js';

const never = new AbortController().signal;
const answered = (latencyMs = 20) => ({ kind: 'answered', latencyMs }) as const;

/** Takes `count` slots that are free now (fails if any would have to wait). */
function takeNow(limiter: ConcurrencyLimiter, count: number): ConcurrencySlot[] {
  return Array.from({ length: count }, () => {
    const slot = limiter.acquire(never);
    if (slot instanceof Promise) throw new Error(`Expected a free slot, the limit is ${limiter.limit()}`);
    return slot;
  });
}

/**
 * Two round trips with more demand than the limit: every free slot taken and as many calls waiting;
 * then every answer comes back (each handing its slot to a waiting call), then theirs.
 */
async function busyRoundTrips(limiter: ConcurrencyLimiter, latencyMs = 20): Promise<void> {
  const first = takeNow(limiter, limiter.limit() - limiter.inFlight());
  const waiting = Array.from({ length: limiter.limit() }, () => Promise.resolve(limiter.acquire(never)));
  for (const slot of first) slot.release(answered(latencyMs));
  for (const slot of await Promise.all(waiting)) slot.release(answered(latencyMs));
}

describe('slots', () => {
  it('gives free slots at once and queues the rest in arrival order', async () => {
    const limiter = createConcurrencyLimiter({ kind: 'fixed', limit: 2 });
    const [a, b] = takeNow(limiter, 2);
    const order: string[] = [];
    const third = Promise.resolve(limiter.acquire(never)).then((slot) => (order.push('third'), slot));
    const fourth = Promise.resolve(limiter.acquire(never)).then((slot) => (order.push('fourth'), slot));
    expect(limiter.queued()).toBe(2);
    a!.release(answered());
    b!.release(answered());
    await Promise.all([third, fourth]);
    expect(order).toEqual(['third', 'fourth']);
    expect(limiter.inFlight()).toBe(2);
  });

  it('rejects a waiter whose signal aborts with its reason, and it leaves the queue', async () => {
    const limiter = createConcurrencyLimiter({ kind: 'fixed', limit: 1 });
    const [held] = takeNow(limiter, 1);
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    const reason = new DOMException('The 5000 ms deadline passed', 'TimeoutError');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(limiter.queued()).toBe(0);
    held!.release(answered());
    expect(limiter.inFlight()).toBe(0);
    await expect(limiter.acquire(controller.signal)).rejects.toBe(reason);
  });

  it('counts a slot released twice once', () => {
    const limiter = createConcurrencyLimiter({ kind: 'fixed', limit: 3 });
    const [slot] = takeNow(limiter, 2);
    slot!.release(answered());
    slot!.release(answered());
    expect(limiter.inFlight()).toBe(1);
  });
});

describe('the fixed limit (PROVIDER_CONCURRENCY)', () => {
  it('never moves, whatever the answers say', async () => {
    const limiter = createConcurrencyLimiter({ kind: 'fixed', limit: 16 });
    for (let i = 0; i < 20; i += 1) await busyRoundTrips(limiter);
    for (const slot of takeNow(limiter, 16)) slot.release({ kind: 'overload' });
    expect(limiter.limit()).toBe(16);
  });
});

describe('the adaptive limit', () => {
  /** An adaptive limiter in a process that is never saturated, unless `saturated` says otherwise. */
  const adaptive = (max = 256, saturated = () => false) => {
    const reported: number[] = [];
    const limiter = createConcurrencyLimiter(
      { kind: 'adaptive', initial: 32, max },
      (limit) => reported.push(limit),
      saturated,
    );
    return { limiter, reported };
  };

  it('starts at 32 and reports it', () => {
    const { limiter, reported } = adaptive();
    expect(limiter.limit()).toBe(32);
    expect(reported).toEqual([32]);
  });

  it('grows while answers come back in time with the limit in use, up to its bound', async () => {
    const { limiter, reported } = adaptive(100);
    await busyRoundTrips(limiter);
    expect(limiter.limit()).toBeGreaterThan(32);
    for (let i = 0; i < 20; i += 1) await busyRoundTrips(limiter);
    expect(limiter.limit()).toBe(100);
    expect(reported.at(-1)).toBe(100);
  });

  it('does not grow while the limit is not in use', () => {
    const { limiter } = adaptive();
    for (let i = 0; i < 100; i += 1) takeNow(limiter, 1)[0]!.release(answered());
    expect(limiter.limit()).toBe(32);
  });

  it('does not grow while answers take more than twice the usual latency', async () => {
    const { limiter } = adaptive();
    await busyRoundTrips(limiter, 20);
    const before = limiter.limit();
    for (let i = 0; i < 5; i += 1) await busyRoundTrips(limiter, 45);
    expect(limiter.limit()).toBe(before);
  });

  it.each([
    ['a 429 or 503', { kind: 'overload' } as const],
    ['a timeout', { kind: 'overload' } as const],
  ])('shrinks by a quarter on %s, once per round trip', (_name, outcome) => {
    const { limiter } = adaptive();
    const slots = takeNow(limiter, 32);
    // Every slot of the same round trip comes back overloaded: one decrease, not 32.
    for (const slot of slots) slot.release(outcome);
    expect(limiter.limit()).toBe(24);
    // A slot taken after the decrease may decrease it again.
    takeNow(limiter, 1)[0]!.release(outcome);
    expect(limiter.limit()).toBe(18);
  });

  it('grows by about one slot per round trip after the first decrease', async () => {
    const { limiter } = adaptive();
    takeNow(limiter, 1)[0]!.release({ kind: 'overload' });
    expect(limiter.limit()).toBe(24);
    // Each call is one round trip at full use with calls waiting: about one slot more each.
    await busyRoundTrips(limiter);
    expect(limiter.limit()).toBe(25);
    await busyRoundTrips(limiter);
    expect(limiter.limit()).toBe(26);
  });

  it('grows back to just under where the provider pushed back, and holds there before probing again', async () => {
    const { limiter } = adaptive(64);
    for (let i = 0; i < 4; i += 1) await busyRoundTrips(limiter);
    expect(limiter.limit()).toBe(64);
    takeNow(limiter, 1)[0]!.release({ kind: 'overload' });
    expect(limiter.limit()).toBe(48);
    const seen: number[] = [];
    for (let i = 0; i < 40; i += 1) {
      await busyRoundTrips(limiter);
      seen.push(limiter.limit());
    }
    // The ceiling is 95% of 64: reached, held while 30 round trips' worth of answers come back, then passed.
    expect(Math.max(...seen.slice(0, 15))).toBe(60);
    expect(seen.at(-1)).toBeGreaterThan(60);
  });

  it('shrinks from, and holds under, the limit the refused attempt was sent under, not the one it grew to since', async () => {
    const { limiter } = adaptive(100);
    // Every slot of a limit of 32 taken and calls waiting; one of the 32 is refused, but while its
    // answer travels the others answer in time (and the calls that waited, then theirs).
    const [refused] = takeNow(limiter, 1);
    await busyRoundTrips(limiter);
    // In slow start each of those answers raised the limit by one.
    expect(limiter.limit()).toBeGreaterThan(40);
    refused!.release({ kind: 'overload' });
    // A quarter off the 32 it was sent under (not off 63), and no growth past 95% of 32 for a while.
    expect(limiter.limit()).toBe(24);
    const seen: number[] = [];
    for (let round = 0; round < 15; round += 1) {
      await busyRoundTrips(limiter);
      seen.push(limiter.limit());
    }
    expect(Math.max(...seen)).toBe(30);
  });

  it('does not grow while this process is saturated, and grows by about a slot per round trip after it', async () => {
    let saturated = true;
    const { limiter } = adaptive(256, () => saturated);
    for (let round = 0; round < 3; round += 1) await busyRoundTrips(limiter);
    expect(limiter.limit()).toBe(32);
    saturated = false;
    // Saturation ended the growth by one slot per answer (which would double the limit per round trip).
    await busyRoundTrips(limiter);
    expect(limiter.limit()).toBe(33);
    await busyRoundTrips(limiter);
    expect(limiter.limit()).toBe(34);
  });

  it('never goes below 1', () => {
    const { limiter } = adaptive();
    for (let i = 0; i < 40; i += 1) takeNow(limiter, 1)[0]!.release({ kind: 'overload' });
    expect(limiter.limit()).toBe(1);
  });

  it('learns nothing from an attempt cancelled by its client or refused before sending', () => {
    const { limiter } = adaptive();
    for (const slot of takeNow(limiter, 32)) slot.release({ kind: 'ignore' });
    expect(limiter.limit()).toBe(32);
  });
});

describe('eventLoopSaturated', () => {
  it('is true after a window the event loop spent busy, and false after one it spent idle', async () => {
    const windowPassed = () => new Promise((resolve) => setTimeout(resolve, 120));
    // An idle window (asking starts a new one once a window has passed).
    eventLoopSaturated();
    await windowPassed();
    eventLoopSaturated();
    await windowPassed();
    expect(eventLoopSaturated()).toBe(false);
    // A busy window: the loop never returns to the event loop for longer than a window.
    const until = performance.now() + 150;
    while (performance.now() < until) {
      // busy
    }
    expect(eventLoopSaturated()).toBe(true);
    await windowPassed();
    expect(eventLoopSaturated()).toBe(false);
  });
});

describe('choosing the limit', () => {
  const http = (concurrency: number | null): ProviderHttpSettings => ({
    concurrency,
    attemptTimeoutMs: 2000,
    deadlineMs: 5000,
    maxRetries: 2,
    retryBaseDelayMs: 200,
    retryAfterCapMs: 2000,
  });

  it('adapts from 32 up to <PROVIDER>_MAX_CONCURRENCY (256 by default) when PROVIDER_CONCURRENCY is unset', () => {
    expect(concurrencySettings(http(null), DEFAULT_CONCURRENCY_BOUNDS)).toEqual({
      kind: 'adaptive',
      initial: 32,
      max: 256,
    });
    expect(concurrencySettings(http(null), { max: 20, requestsPerSecond: null })).toEqual({
      kind: 'adaptive',
      initial: 20,
      max: 20,
    });
  });

  it('stays under the request budget per second', () => {
    expect(concurrencySettings(http(null), { max: 256, requestsPerSecond: 40 })).toEqual({
      kind: 'adaptive',
      initial: 32,
      max: 40,
    });
  });

  it('is fixed at PROVIDER_CONCURRENCY when that is set', () => {
    expect(concurrencySettings(http(16), { max: 256, requestsPerSecond: 40 })).toEqual({ kind: 'fixed', limit: 16 });
  });

  it('reads <PROVIDER>_MAX_CONCURRENCY per provider, 256 when unset, and refuses nonsense', () => {
    const config = loadConfig({ WOOSHPAY_MAX_CONCURRENCY: '64' });
    expect(config.providers.WOOSHPAY.maxConcurrency).toBe(64);
    expect(config.providers.EFUNDPAY.maxConcurrency).toBe(256);
    expect(config.http.concurrency).toBeNull();
    expect(() => loadConfig({ EFUNDPAY_MAX_CONCURRENCY: '0' })).toThrow(
      'EFUNDPAY_MAX_CONCURRENCY must be a whole number from 1 to 4096, received "0"; unset it for the default 256',
    );
  });
});
