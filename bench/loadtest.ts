/**
 * `npm run loadtest`: a bounded soak test of the subgraph against both provider simulators on
 * loopback, with one provider (WooshPay) failing 20% of its calls at random.
 *
 * For LOADTEST_DURATION_S seconds (default 60; also `--duration=<s>`) it sends LOADTEST_RATE
 * operations per second (default 50) at a steady, open-loop pace; each operation is one `refunds`
 * of LOADTEST_IDS (default 10) distinct seed ids, half WooshPay and half efundpay, in random order.
 * The server runs in this process (started as the test stack starts it) with the production
 * defaults (retries, timeouts, breaker) and NODE_ENV=production; its log lines are counted and
 * checked for leaks, never kept.
 *
 * It reports operations served, partial responses, errors by code, p50/p99 latency and memory,
 * and checks that:
 *  - no healthy refund (an efundpay refund) was ever null or carried an error;
 *  - every null WooshPay refund came with its own error at its own path (no silent nulls);
 *  - memory stays flat: live heap (after a forced GC) and RSS averaged over the last 10 s are
 *    compared with the first 10 s after warm-up;
 *  - no log line contains a credential or a simulator's address.
 * It stops by itself (hard limit: duration + 60 s), stops everything it started, and exits 1 when
 * a check fails.
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { efundpaySeedRefunds } from '../src/providers/efundpay/seed.js';
import { wooshPaySeedRefunds } from '../src/providers/wooshpay/seed.js';
import { secretValues, startStack, startTestSimulators } from '../test/helpers/stack.js';
import { ascending, average, percentile } from './lib/stats.js';
import { markdownTable, PASS } from './lib/table.js';

const argument = (name: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
const positive = (raw: string | undefined, fallback: number) => {
  const value = Number(raw);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

const DURATION_S = positive(argument('duration') ?? process.env.LOADTEST_DURATION_S, 60);
const RATE = positive(argument('rate') ?? process.env.LOADTEST_RATE, 50);
const IDS_PER_OPERATION = Math.round(positive(process.env.LOADTEST_IDS, 10));
const FAULT_RATE = 0.2;
const PROVIDER_LATENCY_MS = 10;
const WARMUP_S = Math.min(5, DURATION_S / 6);
const WINDOW_S = Math.min(10, (DURATION_S - WARMUP_S) / 3);
const MAX_IN_FLIGHT = 500;
const HARD_LIMIT_MS = (DURATION_S + 60) * 1000;
/** Allowed growth of the last window's average over the first window's, for heap and RSS. */
const HEAP_GROWTH_LIMIT = { ratio: 1.25, mb: 8 };
const RSS_GROWTH_LIMIT = { ratio: 1.25, mb: 24 };

// A forced GC before each memory sample measures the live heap, not garbage awaiting collection.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const WOOSHPAY_IDS = wooshPaySeedRefunds.map((refund) => refund.id);
const EFUNDPAY_IDS = efundpaySeedRefunds
  .filter((seed) => seed.merchantAccountId === 'default')
  .map((seed) => seed.refund.id);

interface Tally {
  sent: number;
  served: number;
  complete: number;
  partial: number;
  failedRequests: number;
  skippedOverload: number;
  errorsByCode: Map<string, number>;
  latenciesMs: number[];
  healthyNull: number;
  silentNull: number;
  refundsReturned: number;
  refundsNull: number;
  logLines: Map<string, number>;
  leakyLogLines: number;
}

interface MemorySample {
  atS: number;
  rssMb: number;
  heapMb: number;
}

type Row = { id: string; provider: string } | null;
interface Body {
  data?: { refunds: Row[] } | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: { code?: string } }>;
}

function pick<T>(from: readonly T[], count: number): T[] {
  const copy = [...from];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, count);
}

function operationIds(): string[] {
  const wooshpayCount = Math.ceil(IDS_PER_OPERATION / 2);
  return pick(
    [...pick(WOOSHPAY_IDS, wooshpayCount), ...pick(EFUNDPAY_IDS, IDS_PER_OPERATION - wooshpayCount)],
    IDS_PER_OPERATION,
  );
}

const round = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

async function main(): Promise<number> {
  const tally: Tally = {
    sent: 0,
    served: 0,
    complete: 0,
    partial: 0,
    failedRequests: 0,
    skippedOverload: 0,
    errorsByCode: new Map(),
    latenciesMs: [],
    healthyNull: 0,
    silentNull: 0,
    refundsReturned: 0,
    refundsNull: 0,
    logLines: new Map(),
    leakyLogLines: 0,
  };

  // The test stack's start-up (test/helpers/stack.ts): every simulator, then the server in this
  // process (the live-heap check forces a GC here), with the production defaults.
  const simulators = await startTestSimulators({ latencyMs: PROVIDER_LATENCY_MS });
  const { wooshpay, efundpay } = simulators.simulators;
  wooshpay.injectFault('*', { kind: 'random', rate: FAULT_RATE });

  const forbidden = [
    ...secretValues(simulators.env),
    new URL(wooshpay.origin).host,
    new URL(efundpay.origin).host,
    'eyJ',
  ];
  const stack = await startStack({
    simulators,
    // Loopback only: no router in front, so production's router-secret requirement is waived.
    env: { NODE_ENV: 'production', ALLOW_WITHOUT_ROUTER_SECRET: 'true', PROVIDER_RETRY_BASE_DELAY_MS: undefined },
    // Log lines are counted by level and checked for leaks, never kept: keeping them would grow the heap.
    onLogLine: (line) => {
      const level = /"level":"(\w+)"/.exec(line)?.[1] ?? 'unknown';
      tally.logLines.set(level, (tally.logLines.get(level) ?? 0) + 1);
      if (forbidden.some((secret) => line.includes(secret))) tally.leakyLogLines += 1;
    },
  });
  const { server } = stack;
  const pool = new Pool(`http://127.0.0.1:${server.port}`, { connections: 64, keepAliveTimeout: 10_000 });
  const query =
    'query Load($ids: [ID!]!) { refunds(ids: $ids) { id provider status amount { decimal currencyCode } } }';

  async function operation(): Promise<void> {
    const ids = operationIds();
    const started = performance.now();
    tally.sent += 1;
    try {
      const response = await pool.request({
        method: 'POST',
        path: '/graphql',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables: { ids } }),
        headersTimeout: 30_000,
        bodyTimeout: 30_000,
      });
      const body = (await response.body.json()) as Body;
      tally.latenciesMs.push(performance.now() - started);
      const rows = body.data?.refunds;
      if (response.statusCode !== 200 || !Array.isArray(rows)) {
        tally.failedRequests += 1;
        return;
      }
      tally.served += 1;
      const errors = body.errors ?? [];
      if (errors.length > 0) tally.partial += 1;
      else tally.complete += 1;
      for (const error of errors) {
        const code = error.extensions?.code ?? 'NONE';
        tally.errorsByCode.set(code, (tally.errorsByCode.get(code) ?? 0) + 1);
      }
      const errorIndexes = new Set(errors.map((error) => error.path?.[1]));
      rows.forEach((row, index) => {
        tally.refundsReturned += 1;
        const healthy = EFUNDPAY_IDS.includes(ids[index]!);
        if (healthy && (row === null || errorIndexes.has(index))) tally.healthyNull += 1;
        if (row === null) {
          tally.refundsNull += 1;
          if (!errorIndexes.has(index)) tally.silentNull += 1;
        }
      });
    } catch {
      tally.failedRequests += 1;
    }
  }

  const memory: MemorySample[] = [];
  const begin = performance.now();
  const elapsedS = () => (performance.now() - begin) / 1000;
  // The simulators' counters are drained into these totals every second (their request log is
  // bounded, so it cannot pass for a leak of this process).
  const providerCounts = { wooshpay: 0, wooshpayInjected: 0, efundpay: 0 };
  const drainSimulatorLogs = () => {
    providerCounts.wooshpay += wooshpay.requestCount();
    providerCounts.wooshpayInjected += wooshpay.responseCount(503);
    providerCounts.efundpay += efundpay.requestCount();
    wooshpay.resetRequests();
    efundpay.resetRequests();
  };
  const sampler = setInterval(() => {
    drainSimulatorLogs();
    gc();
    const usage = process.memoryUsage();
    memory.push({ atS: elapsedS(), rssMb: usage.rss / 2 ** 20, heapMb: usage.heapUsed / 2 ** 20 });
  }, 1000);

  console.log(
    `loadtest: ${DURATION_S} s at ${RATE} ops/s, ${IDS_PER_OPERATION} ids per refunds (half WooshPay, half efundpay), ` +
      `WooshPay failing ${FAULT_RATE * 100}% of calls at random (HTTP 503), provider latency ${PROVIDER_LATENCY_MS} ms`,
  );

  // Open loop: operation n starts at n / RATE seconds, whether or not earlier ones have finished.
  const inFlight = new Set<Promise<void>>();
  const total = Math.round(DURATION_S * RATE);
  let lastReport = 0;
  for (let n = 0; n < total; n += 1) {
    const due = begin + (n * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    if (inFlight.size >= MAX_IN_FLIGHT) {
      tally.skippedOverload += 1;
      continue;
    }
    const running = operation().finally(() => inFlight.delete(running));
    inFlight.add(running);
    if (elapsedS() - lastReport >= 10) {
      lastReport = elapsedS();
      const last = memory.at(-1);
      console.log(
        `  ${round(elapsedS(), 0)} s: ${tally.served} served, ${tally.partial} partial, ${inFlight.size} in flight` +
          (last ? `, heap ${round(last.heapMb)} MB, rss ${round(last.rssMb)} MB` : ''),
      );
    }
  }
  await Promise.race([Promise.all(inFlight), sleep(30_000)]);
  const durationS = elapsedS();
  clearInterval(sampler);
  await pool.close();
  await stack.stop();
  drainSimulatorLogs();
  await simulators.close();

  // --- report -------------------------------------------------------------------------------
  const sorted = ascending(tally.latenciesMs);
  const firstWindow = memory.filter((s) => s.atS >= WARMUP_S && s.atS < WARMUP_S + WINDOW_S);
  const lastWindow = memory.filter((s) => s.atS > durationS - WINDOW_S);
  const heapFirst = average(firstWindow.map((s) => s.heapMb));
  const heapLast = average(lastWindow.map((s) => s.heapMb));
  const rssFirst = average(firstWindow.map((s) => s.rssMb));
  const rssLast = average(lastWindow.map((s) => s.rssMb));
  const flat = (first: number, last: number, limit: { ratio: number; mb: number }) =>
    firstWindow.length > 0 && lastWindow.length > 0 && (last <= first * limit.ratio || last - first <= limit.mb);
  const heapFlat = flat(heapFirst, heapLast, HEAP_GROWTH_LIMIT);
  const rssFlat = flat(rssFirst, rssLast, RSS_GROWTH_LIMIT);
  const wooshpayCalls = providerCounts.wooshpay;
  const injected = providerCounts.wooshpayInjected;

  const checks: Array<[string, boolean, string]> = [
    [
      'every operation answered (HTTP 200 with data)',
      tally.failedRequests === 0 && tally.served === tally.sent,
      `${tally.served}/${tally.sent} served, ${tally.failedRequests} failed`,
    ],
    [
      'steady rate held (no operation skipped for overload)',
      tally.skippedOverload === 0,
      `${tally.skippedOverload} skipped`,
    ],
    ['no healthy (efundpay) refund ever null or in error', tally.healthyNull === 0, `${tally.healthyNull} seen`],
    ['every null refund has its own error at its own path', tally.silentNull === 0, `${tally.silentNull} silent nulls`],
    ['faults were really injected', injected > 0 && tally.partial > 0, `${injected} WooshPay 503s injected`],
    [
      'live heap flat (last 10 s vs first 10 s after warm-up)',
      heapFlat,
      `${round(heapFirst)} MB -> ${round(heapLast)} MB`,
    ],
    ['RSS flat (last 10 s vs first 10 s after warm-up)', rssFlat, `${round(rssFirst)} MB -> ${round(rssLast)} MB`],
    [
      'no log line leaks a credential or provider address',
      tally.leakyLogLines === 0,
      `${tally.leakyLogLines} leaky lines`,
    ],
  ];

  const rows: Array<[string, string]> = [
    ['duration', `${round(durationS)} s (warm-up ${round(WARMUP_S)} s, memory windows ${round(WINDOW_S)} s)`],
    ['target rate', `${RATE} ops/s x ${IDS_PER_OPERATION} ids`],
    ['achieved rate', `${round(tally.served / durationS)} ops/s`],
    ['operations sent / served', `${tally.sent} / ${tally.served}`],
    ['complete responses', String(tally.complete)],
    [
      'partial responses (data + errors)',
      `${tally.partial} (${round((100 * tally.partial) / Math.max(1, tally.served), 2)}%)`,
    ],
    ['failed requests', String(tally.failedRequests)],
    ['refunds returned / null', `${tally.refundsReturned} / ${tally.refundsNull}`],
    ['errors by code', [...tally.errorsByCode].map(([code, count]) => `${code} ${count}`).join(', ') || 'none'],
    [
      'latency p50 / p99 / max',
      `${round(percentile(sorted, 50))} / ${round(percentile(sorted, 99))} / ${round(sorted.at(-1) ?? Number.NaN)} ms`,
    ],
    ['provider GETs (WooshPay / efundpay)', `${wooshpayCalls} / ${providerCounts.efundpay}`],
    [
      'WooshPay 503s injected',
      `${injected} (${round((100 * injected) / Math.max(1, wooshpayCalls), 1)}% of its calls)`,
    ],
    ['live heap first / last window', `${round(heapFirst)} / ${round(heapLast)} MB`],
    ['RSS first / last window', `${round(rssFirst)} / ${round(rssLast)} MB`],
    ['log lines by level', [...tally.logLines].map(([level, count]) => `${level} ${count}`).join(', ')],
  ];

  console.log(`\n${markdownTable(['measure', 'value'], rows)}`);
  console.log(
    `\n${markdownTable(
      ['check', 'result', 'detail'],
      checks.map(([name, ok, detail]) => [name, ok ? PASS : 'FAIL', detail]),
    )}`,
  );
  return checks.every(([, ok]) => ok) ? 0 : 1;
}

const hardLimit = setTimeout(() => {
  console.error(`loadtest: hard time limit of ${HARD_LIMIT_MS} ms reached; exiting`);
  process.exit(2);
}, HARD_LIMIT_MS);
hardLimit.unref();

main().then(
  (code) => {
    clearTimeout(hardLimit);
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('loadtest failed to run:', error);
    process.exit(2);
  },
);
