/**
 * `npm run bench`: the subgraph against both provider simulators with 20 ms provider latency.
 *
 * The simulators run in this process; the subgraph runs as its own process, as `npm start` runs it
 * (bench/lib/subgraph-process.ts: the entry compiled by tsc, plain `node` with the start script's
 * node options, configured by environment, NODE_ENV=production), so its peak RSS is its own and its
 * event loop is not shared with the load generator.
 * Keep-alive undici pools drive everything.
 * For each scenario it prints p50/p99 latency, requests/s, provider GETs per operation (from the
 * simulators' request logs) and, at the end, the subgraph's peak RSS; then one markdown table with
 * the issue's targets and PASS/FAIL. Fixed iteration counts, loopback only, a hard time limit; it
 * stops everything it started and exits 1 when a target fails (or the run itself fails), else 0.
 *
 * Environment: BENCH_LOG_LEVEL (the subgraph's LOG_LEVEL, default `info`, written to /dev/null),
 * BENCH_SCALE (multiplies the iteration counts, default 1), BENCH_NODE_ARGS (extra node flags for
 * the subgraph, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it), BENCH_SCENARIOS (a
 * comma-separated subset of refund,refunds,entities,dedupe,cache; the floor always runs; `cache` is
 * the refund cache rows of cache-bench.ts), BENCH_NO_BUILD=1
 * (run the last compiled output as is, e.g. to try a change to it).
 */
import { Pool } from 'undici';
import { efundpaySeedRefunds, type SeededEfundpayRefund } from '../src/providers/efundpay/seed.js';
import { startEfundpaySimulator } from '../src/providers/efundpay/simulator.js';
import { wooshPaySeedRefunds } from '../src/providers/wooshpay/seed.js';
import { startWooshPaySimulator } from '../src/providers/wooshpay/simulator.js';
import type { WooshPayRefundWire } from '../src/providers/wooshpay/wire.js';
import { REFUND_FIELDS } from '../test/helpers/stack.js';
import { WOOSHPAY_USD_SPEC_EXAMPLE } from '../test/fixtures/sandbox-refunds.js';
import { ascending, percentile } from './lib/stats.js';
import {
  buildSubgraph,
  START_NODE_OPTIONS,
  startSubgraphProcess,
  type SubgraphProcess,
} from './lib/subgraph-process.js';
import { markdownTable, verdict } from './lib/table.js';
import { runCacheBench } from './cache-bench.js';

const PROVIDER_LATENCY_MS = 20;
const PROVIDER_CONCURRENCY = 100;
const HARD_LIMIT_MS = 240_000;
const SCALE = Math.max(0.1, Number(process.env.BENCH_SCALE ?? 1) || 1);
const SINGLE_ITERATIONS = Math.round(200 * SCALE);
const BATCH_ITERATIONS = Math.round(50 * SCALE);
const WARMUP_ITERATIONS = 20;
const CONCURRENCY = 8;
const RSS_TARGET_MB = 150;

const WOOSHPAY_KEY = 'sk_test_bench0123456789abcdef';
const EFUNDPAY_KEY = 'efundpay_bench_key_0123456789abcdef';
// ---------------------------------------------------------------------------------------------
// Data: the seed plus generated refunds, so that 100 distinct ids exist (60 WooshPay, 40 efundpay).

function generatedWooshPay(count: number): WooshPayRefundWire[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `re_bench${String(i).padStart(6, '0')}`,
    object: 'refund',
    amount: 1000 + i,
    created: 1714000000 + i * 60,
    currency: i % 3 === 0 ? 'eur' : 'usd',
    metadata: { order_id: `B-${i}`, channel: 'bench' },
    payment_intent: `pi_bench${String(i).padStart(6, '0')}`,
    reason: 'requested_by_customer',
    status: 'succeeded',
    description: null,
    failure_reason: null,
    receipt_number: null,
  }));
}

function generatedEfundpay(count: number): SeededEfundpayRefund[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i).padStart(12, '0');
    return {
      merchantAccountId: 'default',
      refund: {
        type: 'refund',
        id: `b0000000-0000-4000-8000-${n}`,
        transaction_id: `c0000000-0000-4000-8000-${n}`,
        status: i % 4 === 0 ? 'processing' : 'succeeded',
        currency: i % 2 === 0 ? 'JPY' : 'KWD',
        amount: 5000 + i,
        reason: 'Bench refund',
        external_identifier: `bench-${i}`,
        transaction_external_identifier: null,
        created_at: '2024-05-02T08:15:42.123+02:00',
      },
    };
  });
}

const WOOSHPAY_EXTRA = generatedWooshPay(60);
const EFUNDPAY_EXTRA = generatedEfundpay(40);
const HUNDRED_IDS = [
  ...WOOSHPAY_EXTRA.map((r) => `wooshpay:${r.id}`),
  ...EFUNDPAY_EXTRA.map((r) => `efundpay:${r.refund.id}`),
];
/** 100 representations of 100 distinct refunds: half by `id`, half by `provider providerRefundId`. */
const HUNDRED_REPRESENTATIONS = HUNDRED_IDS.map((id, i) => {
  const [prefix, providerRefundId] = id.split(':') as [string, string];
  return i % 2 === 0
    ? { __typename: 'Refund', id }
    : { __typename: 'Refund', provider: prefix.toUpperCase(), providerRefundId };
});
/** 100 ids naming 50 distinct refunds: each twice, once global and once bare. */
const HUNDRED_IDS_FIFTY_DISTINCT = HUNDRED_IDS.slice(0, 50).flatMap((id) => [id, id.slice(id.indexOf(':') + 1)]);

const REFUND_QUERY = `query Bench1($id: ID!) { refund(id: $id) { ${REFUND_FIELDS} } }`;
const REFUNDS_QUERY = `query BenchN($ids: [ID!]!) { refunds(ids: $ids) { ${REFUND_FIELDS} } }`;
const ENTITIES_QUERY = `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Refund { ${REFUND_FIELDS} } } }`;

// ---------------------------------------------------------------------------------------------
// Measurement

interface Sample {
  readonly latencies: number[];
  readonly elapsedMs: number;
}

interface Measured {
  readonly name: string;
  readonly mode: string;
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly rps: number;
  /** Provider GETs per operation, from the simulators' logs; null for the floor. */
  readonly getsPerOp: number | null;
  readonly distinct: number | null;
  /** The subgraph's peak RSS (MB) when this run ended: which run pushed it up. */
  readonly peakRssMb: number | null;
}

/** Runs `total` operations with `concurrency` workers; each operation validates its own answer. */
async function run(total: number, concurrency: number, operation: () => Promise<void>): Promise<Sample> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      next += 1;
      const t0 = performance.now();
      await operation();
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return { latencies, elapsedMs: performance.now() - started };
}

function summarise(
  name: string,
  mode: string,
  sample: Sample,
  gets: number | null,
  distinct: number | null,
  peakRssMb: number | null,
): Measured {
  const sorted = ascending(sample.latencies);
  return {
    name,
    mode,
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    rps: (sorted.length / sample.elapsedMs) * 1000,
    getsPerOp: gets === null ? null : gets / sorted.length,
    distinct,
    peakRssMb,
  };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (process.env.BENCH_NO_BUILD !== '1') await buildSubgraph();
  const wooshpay = await startWooshPaySimulator({
    secretKey: WOOSHPAY_KEY,
    latencyMs: PROVIDER_LATENCY_MS,
    host: '127.0.0.1',
    refunds: [...wooshPaySeedRefunds, ...WOOSHPAY_EXTRA],
  });
  const efundpay = await startEfundpaySimulator({
    merchantAccountId: 'default',
    apiKey: EFUNDPAY_KEY,
    latencyMs: PROVIDER_LATENCY_MS,
    host: '127.0.0.1',
    refunds: [...efundpaySeedRefunds, ...EFUNDPAY_EXTRA],
  });
  let spawned: SubgraphProcess;
  try {
    spawned = await startSubgraphProcess({
      label: 'bench',
      nodeArgs: (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter((arg) => arg !== ''),
      env: {
        NODE_ENV: 'production',
        ALLOW_WITHOUT_ROUTER_SECRET: 'true', // loopback only
        LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
        PROVIDER_CONCURRENCY: String(PROVIDER_CONCURRENCY),
        WOOSHPAY_BASE_URL: wooshpay.url,
        WOOSHPAY_SECRET_KEY: WOOSHPAY_KEY,
        EFUNDPAY_BASE_URL: efundpay.url,
        EFUNDPAY_API_KEY: EFUNDPAY_KEY,
        // These rows measure fresh reads (every one a provider GET); the cache rows are cache-bench.ts.
        CACHE_ENABLED: 'false',
      },
    });
  } catch (error) {
    await Promise.all([wooshpay.close(), efundpay.close()]);
    throw error;
  }
  const { child } = spawned;
  const subgraph = new Pool(spawned.url, { connections: 16 });
  const provider = new Pool(wooshpay.origin, { connections: 16 });
  let peakSampled = 0;
  const sampler = setInterval(() => {
    const memory = spawned.memory();
    if (memory) peakSampled = Math.max(peakSampled, memory.rss);
  }, 50);

  const hardLimit = setTimeout(() => {
    process.stderr.write(`bench: hard limit of ${HARD_LIMIT_MS / 1000}s reached; stopping\n`);
    child.kill('SIGKILL');
    process.exit(1);
  }, HARD_LIMIT_MS);
  hardLimit.unref();

  try {
    const floor = async () => {
      const response = await provider.request({
        method: 'GET',
        path: `/v1/refunds/${encodeURIComponent(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId)}`,
        headers: { authorization: `Basic ${Buffer.from(`${WOOSHPAY_KEY}:`).toString('base64')}` },
      });
      const body = (await response.body.json()) as { id?: string };
      if (response.statusCode !== 200 || body.id !== WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId) {
        throw new Error(`Expected the floor GET to return the refund, received ${response.statusCode}`);
      }
    };
    const graphql =
      (query: string, variables: Record<string, unknown>, expectNonNull: number, field: string) => async () => {
        const response = await subgraph.request({
          method: 'POST',
          path: '/graphql',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query, variables }),
        });
        const body = (await response.body.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
        const value = body.data?.[field];
        const nonNull = Array.isArray(value) ? value.filter((v) => v !== null).length : value ? 1 : 0;
        if (response.statusCode !== 200 || body.errors !== undefined || nonNull !== expectNonNull) {
          throw new Error(
            `Expected ${expectNonNull} ${field} without errors, received status ${response.statusCode}, ${nonNull} non-null, errors ${JSON.stringify(body.errors)?.slice(0, 300)}`,
          );
        }
      };
    const scenarios = [
      { key: 'floor', name: 'provider GET (floor)', op: floor, iterations: SINGLE_ITERATIONS, distinct: null },
      {
        key: 'refund',
        name: '`refund` of 1',
        op: graphql(REFUND_QUERY, { id: WOOSHPAY_USD_SPEC_EXAMPLE.id }, 1, 'refund'),
        iterations: SINGLE_ITERATIONS,
        distinct: 1,
      },
      {
        key: 'refunds',
        name: '`refunds` of 100 distinct',
        op: graphql(REFUNDS_QUERY, { ids: HUNDRED_IDS }, 100, 'refunds'),
        iterations: BATCH_ITERATIONS,
        distinct: 100,
      },
      {
        key: 'entities',
        name: '`_entities` of 100 (both keys)',
        op: graphql(ENTITIES_QUERY, { representations: HUNDRED_REPRESENTATIONS }, 100, '_entities'),
        iterations: BATCH_ITERATIONS,
        distinct: 100,
      },
      {
        key: 'dedupe',
        name: '`refunds` of 100 ids, 50 distinct',
        op: graphql(REFUNDS_QUERY, { ids: HUNDRED_IDS_FIFTY_DISTINCT }, 100, 'refunds'),
        iterations: BATCH_ITERATIONS,
        distinct: 50,
      },
    ] as const;
    const selected = process.env.BENCH_SCENARIOS?.split(',').map((key) => key.trim());

    const results: Measured[] = [];
    const active = scenarios.filter(
      (scenario) => !selected || scenario.key === 'floor' || selected.includes(scenario.key),
    );
    // The issue's measurements (sequential) first, then the concurrency stress rows, so the peak RSS
    // of the issue's scenarios is not inflated by the stress rows.
    let peakAfterSequential: number | null = null;
    for (const [mode, concurrency] of [
      ['sequential', 1],
      [`concurrency ${CONCURRENCY}`, CONCURRENCY],
    ] as const) {
      for (const scenario of active) {
        if (concurrency === 1) await run(WARMUP_ITERATIONS, 1, scenario.op);
        wooshpay.resetRequests();
        efundpay.resetRequests();
        const sample = await run(scenario.iterations, concurrency, scenario.op);
        const gets = wooshpay.requestCount() + efundpay.requestCount();
        // The floor's own GETs are not provider GETs caused by the subgraph.
        const peak = spawned.memory()?.peak ?? null;
        const measured = summarise(
          scenario.name,
          mode,
          sample,
          scenario.distinct === null ? null : gets,
          scenario.distinct,
          peak,
        );
        results.push(measured);
        process.stderr.write(
          `bench: ${measured.name} ${measured.mode}: p50 ${measured.p50.toFixed(2)} ms, p99 ${measured.p99.toFixed(2)} ms, ${measured.rps.toFixed(0)} req/s\n`,
        );
      }
      if (concurrency === 1) peakAfterSequential = Math.max(peakSampled, spawned.memory()?.peak ?? 0);
    }
    const memory = spawned.memory();
    const peakRss = Math.max(peakSampled, memory?.peak ?? 0);
    const passed = printReport(
      results,
      memory === null && peakSampled === 0 ? null : { sequential: peakAfterSequential ?? peakRss, overall: peakRss },
    );
    if (!passed) {
      process.stderr.write('bench: a target failed (see **FAIL** above)\n');
      process.exitCode = 1;
    }
  } finally {
    clearInterval(sampler);
    await spawned.stop();
    await Promise.all([subgraph.close(), provider.close()]);
    await Promise.all([wooshpay.close(), efundpay.close()]);
  }
  const wanted = process.env.BENCH_SCENARIOS?.split(',').map((key) => key.trim());
  if (!wanted || wanted.includes('cache')) process.stdout.write(`\n${await runCacheBench()}`);
  clearTimeout(hardLimit);
}

// ---------------------------------------------------------------------------------------------
// Report

const ms = (value: number) => `${value.toFixed(2)} ms`;

/** Prints the table; true when every target passed. */
function printReport(results: readonly Measured[], peakRssMb: { sequential: number; overall: number } | null): boolean {
  const find = (name: string, mode: string) => results.find((r) => r.name === name && r.mode === mode);
  const floor = find('provider GET (floor)', 'sequential');
  if (!floor) throw new Error('Expected a floor measurement');
  const rows: string[][] = [];
  let passed = true;
  const row = (cells: string[]) => rows.push(cells);
  const verdictOf = (ok: boolean) => {
    passed &&= ok;
    return verdict(ok);
  };
  for (const r of results) {
    let target = '';
    let result = '';
    const getsOk = r.getsPerOp === null || r.getsPerOp === r.distinct;
    if (r.mode === 'sequential') {
      if (r.name === '`refund` of 1') {
        const limit = floor.p50 + 3;
        target = `p50 <= floor + 3 ms (${ms(limit)}); GETs = ${r.distinct}`;
        result = verdictOf(r.p50 <= limit && getsOk);
      } else if (r.distinct === 100) {
        const limit = 2 * floor.p50 + 10;
        target = `p50 <= 2 x floor + 10 ms (${ms(limit)}); GETs = ${r.distinct}`;
        result = verdictOf(r.p50 <= limit && getsOk);
      } else if (r.distinct !== null) {
        target = `GETs = ${r.distinct} distinct`;
        result = verdictOf(getsOk);
      } else {
        target = 'the floor';
      }
    } else if (r.distinct !== null) {
      target = `GETs = ${r.distinct} distinct`;
      result = verdictOf(getsOk);
    }
    row([
      r.name,
      r.mode,
      String(r.n),
      ms(r.p50),
      ms(r.p99),
      r.rps.toFixed(0),
      r.getsPerOp === null ? '-' : String(Number(r.getsPerOp.toFixed(2))),
      r.peakRssMb === null ? '-' : `${r.peakRssMb.toFixed(0)} MB`,
      target,
      result,
    ]);
  }
  const peakRow = (label: string, target: string, value: string) =>
    row([label, '-', '-', '-', '-', '-', '-', '-', target, value]);
  peakRow(
    'peak RSS of the subgraph process, sequential scenarios',
    `<= ${RSS_TARGET_MB} MB`,
    peakRssMb === null
      ? 'not measured (no /proc)'
      : `${peakRssMb.sequential.toFixed(1)} MB ${verdictOf(peakRssMb.sequential <= RSS_TARGET_MB)}`,
  );
  peakRow(
    `peak RSS of the subgraph process, with the concurrency ${CONCURRENCY} stress rows`,
    'for information',
    peakRssMb === null ? 'not measured (no /proc)' : `${peakRssMb.overall.toFixed(1)} MB`,
  );
  const header = [
    `Refunds subgraph benchmark: provider latency ${PROVIDER_LATENCY_MS} ms, PROVIDER_CONCURRENCY=${PROVIDER_CONCURRENCY}, ` +
      `LOG_LEVEL=${process.env.BENCH_LOG_LEVEL ?? 'info'}, Node ${process.version} with ${START_NODE_OPTIONS.join(' ') || 'no options'} (as npm start), loopback.`,
    `Latencies are client-side round trips (undici keep-alive pool); the subgraph runs in its own process.`,
    '',
  ];
  const table = markdownTable(
    ['Scenario', 'Mode', 'n', 'p50', 'p99', 'req/s', 'Provider GETs/op', 'Peak RSS after', 'Target', 'Result'],
    rows,
    ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'left', 'left'],
  );
  process.stdout.write(`${header.join('\n')}${table}\n`);
  return passed;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
