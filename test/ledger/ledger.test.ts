/**
 * The ledger, its read recorder and its reconciler, against both databases the service supports:
 * node:sqlite (a file in a folder the ledger creates) and Debian's PostgreSQL 15 (one server for
 * this file, a fresh database per test). The same suite runs against each; what only PostgreSQL
 * can show (concurrent replicas: SKIP LOCKED claims, concurrent event records, concurrent
 * migrations) runs there only.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/app/config.js';
import { createMoney } from '../../src/domain/money.js';
import { PROVIDERS } from '../../src/providers/registry.js';
import type { RefundProviderPort } from '../../src/providers/port.js';
import { openSqlLedger } from '../../src/refunds/ledger/create-ledger.js';
import type { Ledger, WebhookEventInput } from '../../src/refunds/ledger/ledger.js';
import { LEDGER_MIGRATION_SET, ledgerMigrations, type LedgerTables } from '../../src/refunds/ledger/ledger-tables.js';
import { createReadRecorder } from '../../src/refunds/ledger/read-recorder.js';
import { createReconciler } from '../../src/refunds/ledger/reconciler.js';
import { startSimulators, type RunningSimulators } from '../../src/sandbox/start-sandbox.js';
import { migrateToLatest } from '../../src/store/sql/migrate.js';
import { openSqlDatabase, type SqlDatabaseSettings } from '../../src/store/sql/sql-database.js';
import { usePostgres } from '../helpers/postgres.js';
import { HOUR, captureLogger, refundModel, testClock, type TestClock } from './fixtures.js';

const postgres = usePostgres();

let scratch = '';
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'refunds-ledger-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

interface Backend {
  readonly name: 'sqlite' | 'postgres';
  /** Settings of a fresh, empty database for one test. */
  fresh(): Promise<SqlDatabaseSettings>;
}

let fileCount = 0;
const BACKENDS: Backend[] = [
  {
    name: 'sqlite',
    fresh: () => {
      fileCount += 1;
      // A folder that does not exist yet: opening creates it.
      return Promise.resolve({ kind: 'sqlite', path: join(scratch, `run-${fileCount}`, 'data', 'ledger.sqlite') });
    },
  },
  {
    name: 'postgres',
    fresh: async () => ({ kind: 'postgres', url: await postgres().createDatabase() }),
  },
];

/** Everything a test opened, closed after it. */
const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((item) => item.close().catch(() => undefined)));
});

async function openLedger(settings: SqlDatabaseSettings, clock?: TestClock): Promise<Ledger> {
  const { ledger } = await openSqlLedger(settings, clock ? { clock: clock.now } : {});
  opened.push(ledger);
  return ledger;
}

const event = (overrides: Partial<WebhookEventInput> = {}): WebhookEventInput => ({
  provider: 'WOOSHPAY',
  eventId: `evt_${randomUUID()}`,
  receivedAt: new Date('2025-03-01T11:50:00.000Z'),
  signature: 'valid',
  providerRefundId: 're_1787731200000000002',
  lookup: null,
  ...overrides,
});

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.each(BACKENDS)('ledger on $name', (backend) => {
  const onPostgres = backend.name === 'postgres';
  /** A test of what only PostgreSQL has (replicas sharing it, its column types): declared for it alone, never a skipped test. */
  const postgresOnly = (name: string, test: () => Promise<void>, timeoutMs?: number) => {
    if (onPostgres) it(name, test, timeoutMs);
  };

  describe('record', () => {
    it('says new, unchanged and changed, and moves lastChangedAt only on a change of status, provider status or amount', async () => {
      const clock = testClock();
      const ledger = await openLedger(await backend.fresh(), clock);
      const pending = refundModel({ status: 'PENDING' });
      const t0 = clock.now();

      const [first] = await ledger.record([pending], 'read');
      expect(first?.outcome).toBe('new');
      expect(first?.refund).toMatchObject({
        status: 'PENDING',
        firstSeenAt: t0,
        lastChangedAt: t0,
        learntFrom: 'read',
      });

      clock.advance(60_000);
      const [again] = await ledger.record([{ ...pending, reason: 'requested_by_customer' }], 'webhook');
      expect(again?.outcome).toBe('unchanged');
      expect(again?.refund.lastChangedAt).toEqual(t0);
      expect(again?.refund.reason).toBe('requested_by_customer');

      clock.advance(60_000);
      const t2 = clock.now();
      const [settled] = await ledger.record(
        [{ ...pending, status: 'SUCCEEDED', providerStatus: 'succeeded' }],
        'reconciled',
      );
      expect(settled?.outcome).toBe('changed');
      expect(settled?.refund).toMatchObject({ status: 'SUCCEEDED', lastChangedAt: t2, firstSeenAt: t0 });

      clock.advance(60_000);
      const t3 = clock.now();
      const [providerStatusOnly] = await ledger.record(
        [{ ...pending, status: 'SUCCEEDED', providerStatus: 'succeeded_v2' }],
        'read',
      );
      expect(providerStatusOnly?.outcome).toBe('changed');
      expect(providerStatusOnly?.refund.lastChangedAt).toEqual(t3);

      clock.advance(60_000);
      const t4 = clock.now();
      const [amountOnly] = await ledger.record(
        [{ ...pending, status: 'SUCCEEDED', providerStatus: 'succeeded_v2', amount: createMoney(1400, 'USD') }],
        'read',
      );
      expect(amountOnly?.outcome).toBe('changed');
      expect(amountOnly?.refund).toMatchObject({ amountMinor: 1400, lastChangedAt: t4 });

      clock.advance(60_000);
      const [same] = await ledger.record(
        [{ ...pending, status: 'SUCCEEDED', providerStatus: 'succeeded_v2', amount: createMoney(1400, 'USD') }],
        'read',
      );
      expect(same?.outcome).toBe('unchanged');
      expect(same?.refund.lastChangedAt).toEqual(t4);
      // The first source stays: the refund was learnt of by a read.
      expect(same?.refund.learntFrom).toBe('read');
    });

    it('answers a batch one entry per refund in order, and keeps the later observation of a refund passed twice', async () => {
      const clock = testClock();
      const ledger = await openLedger(await backend.fresh(), clock);
      const known = refundModel({ status: 'PENDING' });
      const steady = refundModel({ status: 'PENDING' });
      await ledger.record([known, steady], 'read');
      clock.advance(1000);

      const fresh = refundModel();
      const earlier = new Date(clock.now().getTime() - 500);
      const results = await ledger.record(
        [
          fresh,
          { ...known, status: 'FAILED', providerStatus: 'failed', retrievedAt: clock.now() },
          steady,
          { ...known, status: 'PENDING', providerStatus: 'pending', retrievedAt: earlier },
        ],
        'read',
      );
      expect(results.map((result) => [result.refund.providerRefundId, result.outcome])).toEqual([
        [fresh.providerRefundId, 'new'],
        [known.providerRefundId, 'changed'],
        [steady.providerRefundId, 'unchanged'],
        [known.providerRefundId, 'changed'],
      ]);
      expect(results[3]?.refund.status).toBe('FAILED');

      const rows = await ledger.getMany([
        { provider: 'WOOSHPAY', providerRefundId: steady.providerRefundId },
        { provider: 'WOOSHPAY', providerRefundId: 're_never_recorded' },
        { provider: 'WOOSHPAY', providerRefundId: known.providerRefundId },
      ]);
      expect(rows.map((row) => row?.status ?? null)).toEqual(['PENDING', null, 'FAILED']);
    });

    it('never lets an answer read earlier overwrite a later one (a late background write after a webhook)', async () => {
      const clock = testClock();
      const ledger = await openLedger(await backend.fresh(), clock);
      const refund = refundModel({ status: 'PENDING' });
      const readAt = clock.now();
      clock.advance(5000);
      await ledger.record([{ ...refund, status: 'SUCCEEDED', providerStatus: 'succeeded' }], 'webhook');
      clock.advance(100);

      const [late] = await ledger.record([{ ...refund, retrievedAt: readAt }], 'read');
      expect(late?.outcome).toBe('unchanged');
      expect(late?.refund.status).toBe('SUCCEEDED');
      expect(late?.refund.learntFrom).toBe('webhook');
    });

    postgresOnly('lets two replicas upsert the same refunds in opposite orders at once (no deadlock)', async () => {
      const settings = await backend.fresh();
      const [one, two] = [await openLedger(settings), await openLedger(settings)];
      const refunds = Array.from({ length: 200 }, () => refundModel({ status: 'PENDING' }));
      await one.record(refunds, 'read');
      for (let round = 0; round < 3; round += 1) {
        const status = round % 2 === 0 ? 'SUCCEEDED' : 'FAILED';
        const next = refunds.map((refund) => ({ ...refund, status, providerStatus: status.toLowerCase() }) as const);
        const [a, b] = await Promise.all([one.record(next, 'read'), two.record([...next].reverse(), 'webhook')]);
        expect(a).toHaveLength(200);
        expect(b).toHaveLength(200);
      }
    });

    it('keeps creation facts (actor, idempotency-key hash), fills them in when the refund was seen first, and keeps the first source', async () => {
      const clock = testClock();
      const ledger = await openLedger(await backend.fresh(), clock);
      const created = refundModel();
      const [record] = await ledger.record([created], 'created', {
        actor: 'user-42',
        idempotencyKeyHash: 'sha256:abc',
      });
      expect(record?.refund).toMatchObject({
        learntFrom: 'created',
        actor: 'user-42',
        idempotencyKeyHash: 'sha256:abc',
      });
      const [later] = await ledger.record(
        [{ ...created, status: 'SUCCEEDED', providerStatus: 'succeeded' }],
        'webhook',
      );
      expect(later?.refund).toMatchObject({
        learntFrom: 'created',
        actor: 'user-42',
        idempotencyKeyHash: 'sha256:abc',
      });

      // The webhook won the race against createRefund's own write.
      const raced = refundModel();
      await ledger.record([raced], 'webhook');
      const [filled] = await ledger.record([raced], 'created', { actor: null, idempotencyKeyHash: 'sha256:def' });
      expect(filled?.refund).toMatchObject({ learntFrom: 'webhook', actor: null, idempotencyKeyHash: 'sha256:def' });
      expect(filled?.outcome).toBe('unchanged');
    });

    it('keeps amounts exact: above 2^31, up to Number.MAX_SAFE_INTEGER, and in JPY and KWD', async () => {
      const ledger = await openLedger(await backend.fresh());
      const amounts = [
        refundModel({ amountMinor: 2 ** 31 + 7, currencyCode: 'IDR' }),
        refundModel({ amountMinor: Number.MAX_SAFE_INTEGER, currencyCode: 'IDR' }),
        refundModel({ amountMinor: 123_456_789, currencyCode: 'JPY' }),
        refundModel({ amountMinor: 12_345, currencyCode: 'kwd' }),
      ];
      await ledger.record(amounts, 'read');
      const rows = await ledger.getMany(amounts);
      expect(rows.map((row) => [row?.amountMinor, row?.currencyCode])).toEqual([
        [2 ** 31 + 7, 'IDR'],
        [Number.MAX_SAFE_INTEGER, 'IDR'],
        [123_456_789, 'JPY'],
        [12_345, 'KWD'],
      ]);
      expect(typeof rows[1]?.amountMinor).toBe('number');
    });

    it('keeps the payment id and every time to the millisecond', async () => {
      const ledger = await openLedger(await backend.fresh());
      const refund = refundModel({
        paymentId: 'pi_1787730900000000009',
        createdAt: new Date('2024-02-29T23:59:59.123Z'),
      });
      const noPayment = refundModel({ paymentId: null });
      await ledger.record([refund, noPayment], 'listed');
      const [row, bare] = await ledger.getMany([refund, noPayment]);
      expect(row).toMatchObject({
        paymentId: 'pi_1787730900000000009',
        createdAt: new Date('2024-02-29T23:59:59.123Z'),
      });
      expect(bare?.paymentId).toBeNull();
      // A later answer naming the payment fills it in.
      const [filled] = await ledger.record([{ ...noPayment, paymentId: 'pi_later' }], 'read');
      expect(filled?.refund.paymentId).toBe('pi_later');
    });
  });

  describe('webhook events', () => {
    it('records an event once: a second delivery is a duplicate', async () => {
      const ledger = await openLedger(await backend.fresh());
      const delivery = event({ lookup: { transaction: 'tx-1', merchantTransactionId: 'ours-1' } });
      expect(await ledger.recordEvent(delivery)).toBe('recorded');
      expect(await ledger.recordEvent({ ...delivery, receivedAt: new Date() })).toBe('duplicate');
      // The same id from another provider is another event.
      expect(await ledger.recordEvent({ ...delivery, provider: 'EFUNDPAY' })).toBe('recorded');
    });

    it('claims unprocessed events received before the grace cut-off, counts attempts, honours the lease, and skips processed ones', async () => {
      const clock = testClock();
      const ledger = await openLedger(await backend.fresh(), clock);
      const old = event({ receivedAt: new Date('2025-03-01T11:50:00.000Z'), lookup: { transaction: 'tx-9' } });
      const done = event({ receivedAt: new Date('2025-03-01T11:51:00.000Z') });
      const recent = event({ receivedAt: new Date('2025-03-01T11:59:30.000Z') });
      const ancient = event({ receivedAt: new Date('2025-02-20T00:00:00.000Z') });
      for (const item of [old, done, recent, ancient]) await ledger.recordEvent(item);
      await ledger.markEventProcessed(done.provider, done.eventId, clock.now());

      const graceCutOff = new Date(clock.now().getTime() - 60_000);
      const giveUpBefore = new Date(clock.now().getTime() - 72 * HOUR);
      const claimed = await ledger.claimPendingEvents(10, graceCutOff, giveUpBefore);
      expect(claimed).toEqual([{ ...old, processedAt: null, attempts: 1 }]);
      // Leased to this claimer: nobody gets it again until the lease ends.
      expect(await ledger.claimPendingEvents(10, graceCutOff, giveUpBefore)).toEqual([]);
      clock.advance(61_000);
      const reclaimed = await ledger.claimPendingEvents(10, graceCutOff, giveUpBefore);
      expect(reclaimed.map((item) => [item.eventId, item.attempts])).toEqual([[old.eventId, 2]]);
      await ledger.markEventProcessed(old.provider, old.eventId, clock.now());
      clock.advance(61_000);
      expect(await ledger.claimPendingEvents(10, graceCutOff, giveUpBefore)).toEqual([]);
      // Without the age limit the ancient one is still there.
      expect((await ledger.claimPendingEvents(10, graceCutOff)).map((item) => item.eventId)).toEqual([ancient.eventId]);
    });

    postgresOnly('records an event delivered to two replicas at once exactly once', async () => {
      const settings = await backend.fresh();
      const [one, two] = [await openLedger(settings), await openLedger(settings)];
      const deliveries = Array.from({ length: 20 }, () => event());
      const outcomes = await Promise.all(
        deliveries.flatMap((delivery) => [one.recordEvent(delivery), two.recordEvent({ ...delivery })]),
      );
      for (let index = 0; index < deliveries.length; index += 1) {
        expect([outcomes[2 * index], outcomes[2 * index + 1]].sort()).toEqual(['duplicate', 'recorded']);
      }
    });

    postgresOnly('gives each pending event to one of two concurrent claimers', async () => {
      const settings = await backend.fresh();
      const clock = testClock();
      const [one, two] = [await openLedger(settings, clock), await openLedger(settings, clock)];
      const all = Array.from({ length: 60 }, (_, index) =>
        event({ receivedAt: new Date(Date.parse('2025-03-01T11:00:00.000Z') + index * 1000) }),
      );
      for (const item of all) await one.recordEvent(item);
      const claimedBy = async (ledger: Ledger) => {
        const ids: string[] = [];
        for (;;) {
          const batch = await ledger.claimPendingEvents(5, clock.now());
          if (batch.length === 0) return ids;
          ids.push(...batch.map((item) => item.eventId));
        }
      };
      const [a, b] = await Promise.all([claimedBy(one), claimedBy(two)]);
      expect([...a, ...b].sort()).toEqual(all.map((item) => item.eventId).sort());
      expect(a.filter((id) => b.includes(id))).toEqual([]);
    });
  });

  describe('claimUnsettled', () => {
    it('claims refunds that are not final, young enough and not checked lately, and marks them checked', async () => {
      const clock = testClock();
      const ledger = await openLedger(await backend.fresh(), clock);
      const tooOld = refundModel({ status: 'PENDING' });
      await ledger.record([tooOld], 'read');
      clock.advance(73 * HOUR);
      const pending = refundModel({ status: 'PENDING' });
      const action = refundModel({ status: 'REQUIRES_ACTION' });
      const unknown = refundModel({ status: 'UNKNOWN', providerStatus: 'processing_v2' });
      const settled = [
        refundModel({ status: 'SUCCEEDED' }),
        refundModel({ status: 'FAILED' }),
        refundModel({ status: 'CANCELED' }),
      ];
      await ledger.record([pending, action, unknown, ...settled], 'read');

      const interval = 30_000;
      const claim = () =>
        ledger.claimUnsettled(
          10,
          new Date(clock.now().getTime() - 72 * HOUR),
          new Date(clock.now().getTime() - interval),
        );
      // Just read: checked now, so not due.
      expect(await claim()).toEqual([]);
      clock.advance(interval + 1);
      const claimed = await claim();
      expect(claimed.map((row) => row.providerRefundId).sort()).toEqual(
        [pending, action, unknown].map((refund) => refund.providerRefundId).sort(),
      );
      // Claimed means checked: not again within the interval, again after it.
      expect(await claim()).toEqual([]);
      clock.advance(interval + 1);
      expect(await claim()).toHaveLength(3);
      // A settled refund drops out.
      clock.advance(interval + 1);
      await ledger.record([{ ...pending, status: 'SUCCEEDED', providerStatus: 'succeeded' }], 'reconciled');
      clock.advance(interval + 1);
      expect((await claim()).map((row) => row.providerRefundId).sort()).toEqual(
        [action, unknown].map((refund) => refund.providerRefundId).sort(),
      );
    });

    postgresOnly('gives each refund to one of two concurrent claimers (SKIP LOCKED)', async () => {
      const settings = await backend.fresh();
      const clock = testClock();
      const [one, two] = [await openLedger(settings, clock), await openLedger(settings, clock)];
      const refunds = Array.from({ length: 120 }, () => refundModel({ status: 'PENDING' }));
      await one.record(refunds, 'read');
      clock.advance(60_000);
      const claimedBy = async (ledger: Ledger) => {
        const ids: string[] = [];
        for (;;) {
          const batch = await ledger.claimUnsettled(7, new Date(0), new Date(clock.now().getTime() - 30_000));
          if (batch.length === 0) return ids;
          ids.push(...batch.map((row) => row.providerRefundId));
        }
      };
      const [a, b] = await Promise.all([claimedBy(one), claimedBy(two)]);
      expect(a.filter((id) => b.includes(id))).toEqual([]);
      expect([...a, ...b].sort()).toEqual(refunds.map((refund) => refund.providerRefundId).sort());
      // Both took part (the claims interleaved rather than ran one after the other).
      expect(a.length).toBeGreaterThan(0);
      expect(b.length).toBeGreaterThan(0);
    });
  });

  describe('migrations', () => {
    it('runs at open, and opening again applies nothing and keeps the data', async () => {
      const settings = await backend.fresh();
      const first = await openSqlLedger(settings);
      expect(first.migrations.applied).toEqual(Object.keys(ledgerMigrations(backend.name)));
      const refund = refundModel();
      await first.ledger.record([refund], 'read');
      await first.ledger.close();

      const second = await openSqlLedger(settings);
      opened.push(second.ledger);
      expect(second.migrations.applied).toEqual([]);
      expect((await second.ledger.getMany([refund]))[0]?.providerRefundId).toBe(refund.providerRefundId);
    });

    postgresOnly('is safe when four replicas start at once: one applies, the others find nothing to do', async () => {
      const settings = await backend.fresh();
      const starts = await Promise.all(Array.from({ length: 4 }, () => openSqlLedger(settings)));
      for (const start of starts) opened.push(start.ledger);
      const applied = starts.flatMap((start) => start.migrations.applied);
      expect(applied).toEqual(Object.keys(ledgerMigrations('postgres')));
      const refund = refundModel();
      await starts[3]?.ledger.record([refund], 'read');
      expect((await starts[0]?.ledger.getMany([refund]))?.[0]?.status).toBe('PENDING');
    });

    postgresOnly('stores money as bigint and times as timestamptz', async () => {
      const settings = await backend.fresh();
      const database = openSqlDatabase<LedgerTables>(settings);
      opened.push(database);
      await migrateToLatest(database, ledgerMigrations('postgres'), { name: LEDGER_MIGRATION_SET });
      const { rows } = await sql<{ column_name: string; data_type: string }>`
        select column_name, data_type from information_schema.columns
        where table_name = 'refunds' and column_name in ('amount_minor', 'created_at')
        order by column_name`.execute(database.db);
      expect(rows).toEqual([
        { column_name: 'amount_minor', data_type: 'bigint' },
        { column_name: 'created_at', data_type: 'timestamp with time zone' },
      ]);
    });
  });

  describe('state', () => {
    it('is ok while the database answers and unavailable after a failure', async () => {
      const ledger = await openLedger(await backend.fresh());
      expect(await ledger.check()).toEqual({ kind: backend.name, status: 'ok' });
      await ledger.close();
      await expect(ledger.record([refundModel()], 'read')).rejects.toThrow();
      expect(ledger.state()).toEqual({ kind: backend.name, status: 'unavailable' });
      expect((await ledger.check()).status).toBe('unavailable');
    });
  });

  describe('read recorder', () => {
    it('writes what reads saw in the background and skips refunds that are as it last wrote them', async () => {
      const ledger = await openLedger(await backend.fresh());
      let writes = 0;
      const counting: Pick<Ledger, 'record'> = {
        record: (refunds, source, facts) => {
          writes += 1;
          return ledger.record(refunds, source, facts);
        },
      };
      const { logger } = captureLogger();
      const recorder = createReadRecorder({ ledger: counting, logger, flushEveryMs: 10 });
      const a = refundModel({ status: 'PENDING' });
      const b = refundModel({ status: 'PENDING' });

      recorder.note([a, b]);
      expect(writes).toBe(0); // never in the caller's turn
      await until(() => recorder.counters().written === 2, 2000, 'the first write');
      expect((await ledger.getMany([a, b])).map((row) => row?.learntFrom)).toEqual(['read', 'read']);

      recorder.note([a, b]);
      recorder.note([{ ...a, reason: 'another reason, not a change' }]);
      await recorder.flush();
      expect(writes).toBe(1);
      expect(recorder.counters()).toMatchObject({ written: 2, skipped: 3, queued: 0 });

      recorder.note([{ ...a, status: 'SUCCEEDED', providerStatus: 'succeeded' }, b]);
      await recorder.flush();
      expect(writes).toBe(2);
      expect((await ledger.getMany([a]))[0]?.status).toBe('SUCCEEDED');
      await recorder.close();
    });

    it('batches up to maxBatch refunds per write', async () => {
      const ledger = await openLedger(await backend.fresh());
      const sizes: number[] = [];
      const { logger } = captureLogger();
      const recorder = createReadRecorder({
        ledger: { record: (refunds, source) => (sizes.push(refunds.length), ledger.record(refunds, source)) },
        logger,
        maxBatch: 10,
        flushEveryMs: 1000,
      });
      recorder.note(Array.from({ length: 25 }, () => refundModel()));
      await until(() => recorder.counters().written === 20, 2000, 'two full batches without waiting for the timer');
      await recorder.flush();
      expect(sizes).toEqual([10, 10, 5]);
    });

    it('survives a closed database: notes never throw or wait, failures are counted and logged once a minute', async () => {
      const ledger = await openLedger(await backend.fresh());
      const captured = captureLogger();
      const recorder = createReadRecorder({ ledger, logger: captured.logger, flushEveryMs: 5 });
      await ledger.close();

      const started = performance.now();
      for (let index = 0; index < 5; index += 1) {
        expect(() => recorder.note([refundModel()])).not.toThrow();
        await recorder.flush();
      }
      expect(performance.now() - started).toBeLessThan(2000);
      expect(recorder.counters()).toMatchObject({ errors: 5, written: 0 });
      const warnings = captured.lines().filter((line) => line.level === 40);
      expect(warnings).toHaveLength(1);
      expect(String(warnings[0]?.msg)).toContain('reads are unaffected');
    });

    it('drops and counts notes beyond its queue when the ledger hangs, and the caller never waits', async () => {
      const { logger } = captureLogger();
      const hanging: Pick<Ledger, 'record'> = { record: () => new Promise(() => undefined) };
      const recorder = createReadRecorder({ ledger: hanging, logger, maxQueue: 5, maxBatch: 2, flushEveryMs: 1 });
      recorder.note([refundModel(), refundModel()]);
      await new Promise((resolve) => setTimeout(resolve, 20)); // the first batch is now stuck in flight
      const started = performance.now();
      recorder.note(Array.from({ length: 10 }, () => refundModel()));
      expect(performance.now() - started).toBeLessThan(50);
      expect(recorder.counters()).toMatchObject({ queued: 5, dropped: 5, written: 0 });
      expect(recorder.counters().lagMs).toBeGreaterThanOrEqual(0);
    });
  });

  describe('reconciler', () => {
    let simulators: RunningSimulators;
    let wooshpay: RefundProviderPort;
    beforeAll(async () => {
      simulators = await startSimulators({ settleMs: 400 });
      const config = loadConfig({ ...simulators.env, LOG_LEVEL: 'silent' });
      const definition = PROVIDERS.find((provider) => provider.name === 'WOOSHPAY');
      if (!definition) throw new Error('Expected WOOSHPAY in the registry');
      wooshpay = definition.createClient(
        config.providers.WOOSHPAY,
        { http: config.http, breaker: config.breaker },
        { logger: captureLogger().logger, observe: () => undefined },
      );
    });
    afterAll(async () => {
      await wooshpay?.close();
      await simulators?.close();
    });

    const readFromWooshPay = (ref: { providerRefundId: string }) =>
      wooshpay.getRefund(ref.providerRefundId, { requestId: `reconcile-${randomUUID()}` });

    it('takes a PENDING refund to SUCCEEDED by re-reading it from the provider, with no webhook', async () => {
      const ledger = await openLedger(await backend.fresh());
      const outcome = await wooshpay.createRefund(
        {
          provider: 'WOOSHPAY',
          paymentId: 'pi_1787730900000000001',
          amount: createMoney(100, 'USD'),
          reason: 'REQUESTED_BY_CUSTOMER',
          note: null,
          metadata: [],
          providerKey: randomUUID(),
        },
        { requestId: 'ledger-test-create' },
      );
      if (outcome.kind !== 'created')
        throw new Error(`Expected the simulator to create the refund, it answered ${outcome.kind}`);
      expect(outcome.refund.status).toBe('PENDING');
      await ledger.record([outcome.refund], 'created', { actor: 'user-1', idempotencyKeyHash: 'h' });

      const changes: string[] = [];
      const { logger } = captureLogger();
      const reconciler = createReconciler({
        ledger,
        readRefund: readFromWooshPay,
        onChanged: (recorded) => void changes.push(`${recorded.outcome}:${recorded.refund.status}`),
        settings: { enabled: true, intervalMs: 100, maxAgeMs: 72 * HOUR },
        logger,
      });
      reconciler.start();
      try {
        await until(() => changes.length > 0, 5000, 'the reconciler to see the refund settle');
      } finally {
        await reconciler.stop();
      }
      expect(changes).toEqual(['changed:SUCCEEDED']);
      const [row] = await ledger.getMany([outcome.refund]);
      expect(row).toMatchObject({
        status: 'SUCCEEDED',
        providerStatus: 'succeeded',
        learntFrom: 'created',
        actor: 'user-1',
      });
      expect(row!.lastChangedAt.getTime()).toBeGreaterThan(row!.firstSeenAt.getTime());
    });

    it('leaves refunds older than the maximum age alone, and does nothing when disabled', async () => {
      const clock = testClock();
      const ledger = await openLedger(await backend.fresh(), clock);
      await ledger.record([refundModel({ status: 'PENDING' })], 'read');
      const reads: string[] = [];
      const readRefund = (ref: { providerRefundId: string }) => {
        reads.push(ref.providerRefundId);
        return Promise.resolve(null);
      };
      const { logger } = captureLogger();
      const settings = { enabled: true, intervalMs: 30_000, maxAgeMs: 72 * HOUR };

      clock.advance(73 * HOUR);
      const aged = createReconciler({ ledger, readRefund, settings, logger, clock: clock.now });
      expect((await aged.runOnce()).checked).toBe(0);

      const disabled = createReconciler({
        ledger,
        readRefund,
        settings: { ...settings, enabled: false, intervalMs: 10, maxAgeMs: 1000 * HOUR },
        logger,
        clock: clock.now,
      });
      disabled.start();
      await new Promise((resolve) => setTimeout(resolve, 100));
      await disabled.stop();
      expect(reads).toEqual([]);

      // The control: the same refund within the age limit is read.
      const young = createReconciler({
        ledger,
        readRefund,
        settings: { ...settings, maxAgeMs: 1000 * HOUR },
        logger,
        clock: clock.now,
      });
      expect((await young.runOnce()).checked).toBe(1);
      expect(reads).toHaveLength(1);
    });

    it('processes events left unprocessed after the grace period, marks them processed, and retries failures later', async () => {
      const clock = testClock();
      const ledger = await openLedger(await backend.fresh(), clock);
      const stranded = event({ receivedAt: new Date(clock.now().getTime() - 120_000) });
      const failing = event({ receivedAt: new Date(clock.now().getTime() - 120_000) });
      const fresh = event({ receivedAt: new Date(clock.now().getTime() - 5000) });
      for (const item of [stranded, failing, fresh]) await ledger.recordEvent(item);
      const processed: string[] = [];
      const { logger } = captureLogger();
      const reconciler = createReconciler({
        ledger,
        readRefund: () => Promise.resolve(null),
        processEvent: (item) => {
          if (item.eventId === failing.eventId && item.attempts < 2) return Promise.reject(new Error('provider down'));
          processed.push(item.eventId);
          return Promise.resolve();
        },
        settings: { enabled: true, intervalMs: 30_000, maxAgeMs: 72 * HOUR },
        logger,
        clock: clock.now,
      });
      const first = await reconciler.runOnce();
      expect(first).toMatchObject({ eventsProcessed: 1, eventFailures: 1 });
      expect(processed).toEqual([stranded.eventId]);
      clock.advance(61_000);
      const second = await reconciler.runOnce();
      expect(second).toMatchObject({ eventsProcessed: 2, eventFailures: 0 });
      expect(processed.sort()).toEqual([stranded.eventId, failing.eventId, fresh.eventId].sort());
      clock.advance(61_000);
      expect((await reconciler.runOnce()).eventsProcessed).toBe(0);
    });

    it('stop() waits for the round in flight', async () => {
      const ledger = await openLedger(await backend.fresh());
      const refund = refundModel({ status: 'PENDING' });
      await ledger.record([{ ...refund, retrievedAt: new Date(Date.now() - 60_000) }], 'read');
      let release: () => void = () => undefined;
      const readStarted = new Promise<void>((resolve) => {
        release = resolve;
      });
      const { logger } = captureLogger();
      const reconciler = createReconciler({
        ledger,
        readRefund: async () => {
          release();
          await new Promise((resolve) => setTimeout(resolve, 200));
          return { ...refund, status: 'SUCCEEDED', providerStatus: 'succeeded' };
        },
        settings: { enabled: true, intervalMs: 10, maxAgeMs: 72 * HOUR },
        logger,
      });
      reconciler.start();
      await readStarted;
      await reconciler.stop();
      // The round finished its write before stop() resolved.
      expect((await ledger.getMany([refund]))[0]?.status).toBe('SUCCEEDED');
    });

    postgresOnly('with two replicas, each refund is re-read by one of them per round', async () => {
      const settings = await backend.fresh();
      const clock = testClock();
      const [one, two] = [await openLedger(settings, clock), await openLedger(settings, clock)];
      const refunds = Array.from({ length: 40 }, () => refundModel({ status: 'PENDING' }));
      await one.record(refunds, 'read');
      clock.advance(60_000);
      const reads: string[] = [];
      const { logger } = captureLogger();
      const replica = (ledger: Ledger) =>
        createReconciler({
          ledger,
          readRefund: async (ref) => {
            reads.push(ref.providerRefundId);
            await new Promise((resolve) => setTimeout(resolve, 2));
            return null;
          },
          settings: { enabled: true, intervalMs: 30_000, maxAgeMs: 72 * HOUR },
          logger,
          clock: clock.now,
          batchSize: 5,
        });
      await Promise.all([replica(one).runOnce(), replica(two).runOnce()]);
      expect(reads.sort()).toEqual(refunds.map((refund) => refund.providerRefundId).sort());
    });
  });
});

describe('SQLite in memory', () => {
  it('keeps each in-memory ledger to itself', async () => {
    const a = await openLedger({ kind: 'sqlite', path: ':memory:' });
    const b = await openLedger({ kind: 'sqlite', path: ':memory:' });
    const refund = refundModel();
    await a.record([refund], 'read');
    expect((await a.getMany([refund]))[0]).not.toBeNull();
    expect((await b.getMany([refund]))[0]).toBeNull();
  });
});
