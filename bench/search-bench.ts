/**
 * The search bench: a ledger of 1,000,000 refunds (generated in bulk SQL, over a year, both
 * providers, seven currencies, about three refunds per payment, 1% created through this service)
 * on SQLite (node:sqlite, a file) and on PostgreSQL (Debian's, started as test/helpers/postgres.ts
 * starts it), migrated like the service's. For each database: p50 and p95 of refundSearch's first
 * page under a few filters, and of a 30-day DAY x CURRENCY refundSummary, through the use case
 * (createRefundSearch over createLedgerQueries). On SQLite, whose queries run on the event loop,
 * the event-loop delay while they run. `npm run bench:search`; exits non-zero when a run fails.
 *
 * ROWS (default 1,000,000) and RUNS (default 30) change the size.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { createRefundAuthorizer } from '../src/auth/refund-authorizer.js';
import type { RefundFilter, RefundSummaryDimension } from '../src/__generated__/schema-types.js';
import { LEDGER_MIGRATION_SET, ledgerMigrations, type LedgerTables } from '../src/refunds/ledger/ledger-tables.js';
import { createLedgerQueries } from '../src/refunds/search/ledger-queries.js';
import { createRefundSearch, type RefundSearch } from '../src/refunds/search/refund-search.js';
import { migrateToLatest } from '../src/store/sql/migrate.js';
import { openSqlDatabase, type SqlDatabase } from '../src/store/sql/sql-database.js';
import { startPostgres } from '../test/helpers/postgres.js';
import { ascending, percentile } from './lib/stats.js';
import { markdownTable } from './lib/table.js';

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const RUNS = Number(process.env.RUNS ?? 30);
/** The newest refund; the corpus goes back a year from here, one refund every SPACING seconds. */
const END_EPOCH_S = Date.UTC(2025, 5, 30) / 1000;
const SPACING_S = Math.max(1, Math.floor((365 * 86_400) / ROWS));
const NOW = new Date(END_EPOCH_S * 1000);
const DAY_MS = 86_400_000;

interface Case {
  readonly name: string;
  run(search: RefundSearch): Promise<unknown>;
}

const page = (filter: RefundFilter) => (search: RefundSearch) => search.search({ filter, first: 50 }, undefined);
const summary = (filter: RefundFilter, groupBy: RefundSummaryDimension[]) => (search: RefundSearch) =>
  search.summarize({ filter, groupBy }, undefined);

const CASES: Case[] = [
  { name: 'first page, no filter', run: page({}) },
  { name: 'first page, status PENDING + currency EUR', run: page({ status: ['PENDING'], currencyCode: 'EUR' }) },
  {
    name: 'first page, EFUNDPAY, FAILED or CANCELED, last 7 days',
    run: page({
      provider: 'EFUNDPAY',
      status: ['FAILED', 'CANCELED'],
      createdFrom: new Date(NOW.getTime() - 7 * DAY_MS).toISOString(),
    }),
  },
  { name: 'first page, currency KWD (rare)', run: page({ currencyCode: 'KWD' }) },
  { name: 'first page, one actor (createdBy)', run: page({ createdBy: 'analyst-7' }) },
  { name: 'first page, one payment', run: page({ paymentId: 'pi_1000000000300000' }) },
  {
    name: 'summary, 30 days, DAY x CURRENCY',
    run: summary({ createdFrom: new Date(NOW.getTime() - 30 * DAY_MS).toISOString(), createdTo: NOW.toISOString() }, [
      'DAY',
      'CURRENCY',
    ]),
  },
];

/** The corpus as one INSERT … SELECT over a row-number series. */
function seedStatement(kind: 'sqlite' | 'postgres') {
  const n = sql.ref('n');
  const pick = (values: string[], modulo: string) =>
    sql.raw(`(case ${modulo} ${values.map((value, index) => `when ${index} then '${value}'`).join(' ')} end)`);
  const provider = sql.raw(`(case when n % 3 = 0 then 'EFUNDPAY' else 'WOOSHPAY' end)`);
  const status = pick(
    [
      'SUCCEEDED',
      'SUCCEEDED',
      'SUCCEEDED',
      'SUCCEEDED',
      'SUCCEEDED',
      'SUCCEEDED',
      'PENDING',
      'FAILED',
      'CANCELED',
      'REQUIRES_ACTION',
    ],
    'n % 10',
  );
  // Weighted: USD and EUR common, KWD rare.
  const currency = pick(
    ['USD', 'USD', 'USD', 'EUR', 'EUR', 'GBP', 'JPY', 'IDR', 'USD', 'EUR', 'GBP', 'JPY', 'USD', 'KWD'],
    'n % 14',
  );
  const refundId = sql.raw(
    kind === 'postgres'
      ? `(case when n % 3 = 0 then lpad(to_hex(n), 8, '0') || '-0000-4000-8000-000000000000' else 're_bench' || n end)`
      : `(case when n % 3 = 0 then substr('00000000' || printf('%x', n), -8) || '-0000-4000-8000-000000000000' else 're_bench' || n end)`,
  );
  const paymentId = sql.raw(
    kind === 'postgres'
      ? `(case when n % 3 = 0 then lpad(to_hex(n / 3), 8, '0') || '-1111-4000-8000-000000000000' else 'pi_' || (1000000000000000 + n / 3) end)`
      : `(case when n % 3 = 0 then substr('00000000' || printf('%x', n / 3), -8) || '-1111-4000-8000-000000000000' else 'pi_' || (1000000000000000 + n / 3) end)`,
  );
  const createdAt = sql.raw(
    kind === 'postgres'
      ? `to_timestamp(${END_EPOCH_S} - n * ${SPACING_S})`
      : `strftime('%Y-%m-%dT%H:%M:%fZ', ${END_EPOCH_S} - n * ${SPACING_S}, 'unixepoch')`,
  );
  const series =
    kind === 'postgres'
      ? sql`generate_series(cast(0 as bigint), ${sql.lit(ROWS - 1)}) as s(n)`
      : sql`(with recursive s(n) as (select 0 union all select n + 1 from s where n < ${sql.lit(ROWS - 1)}) select n from s) as s`;
  return sql`insert into refunds (provider, provider_refund_id, payment_id, amount_minor, currency_code, status,
      provider_status, reason, created_at, first_seen_at, last_changed_at, observed_at, learnt_from, actor,
      idempotency_key_hash, last_checked_at, last_write)
    select ${provider}, ${refundId}, ${paymentId}, 100 + (${n} * 7919) % 500000, ${currency}, ${status},
      lower(${status}), (case when ${n} % 4 = 0 then null else 'requested_by_customer' end),
      ${createdAt}, ${createdAt}, ${createdAt}, ${createdAt}, 'read',
      (case when ${n} % 100 = 0 then 'analyst-' || (${n} / 100) % 10 else null end), null, ${createdAt}, 'new'
    from ${series}`;
}

interface Row {
  readonly database: string;
  readonly name: string;
  readonly p50: number;
  readonly p95: number;
  readonly maxLoopDelay: number | null;
}

async function benchDatabase(
  label: string,
  database: SqlDatabase<LedgerTables>,
): Promise<{ rows: Row[]; seedS: number }> {
  await migrateToLatest(database, ledgerMigrations(database.kind), { name: LEDGER_MIGRATION_SET });
  const started = performance.now();
  await seedStatement(database.kind).execute(database.db);
  if (database.kind === 'postgres') await sql`vacuum analyze refunds`.execute(database.db);
  else await sql`analyze`.execute(database.db);
  const seedS = (performance.now() - started) / 1000;
  const search = createRefundSearch({
    queries: createLedgerQueries(database),
    authorizer: createRefundAuthorizer({ jwksUrl: null, issuer: null, audience: null }, false),
    now: () => NOW,
  });
  const rows: Row[] = [];
  for (const benchCase of CASES) {
    await benchCase.run(search); // warm-up
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const times: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const start = performance.now();
      await benchCase.run(search);
      times.push(performance.now() - start);
      // Lets the delay histogram see the loop between runs.
      await new Promise((resolve) => setImmediate(resolve));
    }
    delay.disable();
    const sorted = ascending(times);
    rows.push({
      database: label,
      name: benchCase.name,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      maxLoopDelay: database.kind === 'sqlite' ? delay.max / 1e6 : null,
    });
  }
  return { rows, seedS };
}

async function main(): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), 'refunds-search-bench-'));
  const postgres = await startPostgres();
  const all: Row[] = [];
  const seeds: string[] = [];
  try {
    const sqlite = openSqlDatabase<LedgerTables>({ kind: 'sqlite', path: join(scratch, 'ledger.sqlite') });
    try {
      const result = await benchDatabase('SQLite', sqlite);
      all.push(...result.rows);
      seeds.push(`SQLite: ${ROWS} rows seeded and indexed in ${result.seedS.toFixed(1)} s`);
    } finally {
      await sqlite.close();
    }
    const pg = openSqlDatabase<LedgerTables>({
      kind: 'postgres',
      url: await postgres.createDatabase(),
      statementTimeoutMs: 0,
    });
    try {
      const result = await benchDatabase('PostgreSQL 15', pg);
      all.push(...result.rows);
      seeds.push(`PostgreSQL: ${ROWS} rows seeded, indexed and vacuumed in ${result.seedS.toFixed(1)} s`);
    } finally {
      await pg.close();
    }
  } finally {
    await postgres.stop();
    await rm(scratch, { recursive: true, force: true });
  }
  const ms = (value: number) => value.toFixed(1);
  console.log(`\nrefundSearch / refundSummary over ${ROWS.toLocaleString('en')} ledger rows, ${RUNS} runs each\n`);
  console.log(
    markdownTable(
      ['database', 'query', 'p50 ms', 'p95 ms', 'max event-loop delay ms'],
      all.map((row) => [
        row.database,
        row.name,
        ms(row.p50),
        ms(row.p95),
        row.maxLoopDelay === null ? 'n/a (pool)' : ms(row.maxLoopDelay),
      ]),
      ['left', 'left', 'right', 'right', 'right'],
    ),
  );
  console.log(`\n${seeds.join('\n')}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
