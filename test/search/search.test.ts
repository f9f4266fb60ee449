/**
 * refundSearch and refundSummary over a real ledger, on both databases (node:sqlite in memory and
 * Debian's PostgreSQL 15): every filter, alone and combined; keyset pages that stay stable while
 * refunds are recorded between them; exact sums across currencies (JPY, KWD, amounts above 2^31);
 * and the input the use case refuses before any query.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createRefundAuthorizer } from '../../src/auth/refund-authorizer.js';
import type { RefundFilter } from '../../src/__generated__/schema-types.js';
import { InvalidInputError } from '../../src/domain/errors.js';
import type { RefundModel } from '../../src/domain/refund.js';
import { createRefundSearch, type RefundSearch } from '../../src/refunds/search/refund-search.js';
import { usePostgres } from '../helpers/postgres.js';
import { listOrder, refund } from './fixtures.js';
import { openTestLedger, type TestLedger } from './ledger-backends.js';

const postgres = usePostgres();
const opened: TestLedger[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((ledger) => ledger.close()));
});

const NOW = new Date('2025-03-20T00:00:00.000Z');
const OPEN = createRefundAuthorizer({ jwksUrl: null, issuer: null, audience: null }, false);

async function setUp(kind: 'sqlite' | 'postgres'): Promise<{ ledger: TestLedger; search: RefundSearch }> {
  const ledger = await openTestLedger(kind, postgres);
  opened.push(ledger);
  return { ledger, search: createRefundSearch({ queries: ledger.queries, authorizer: OPEN, now: () => NOW }) };
}

/** 40 refunds over both providers, four currencies, every status, ten days, three payments, two actors. */
function corpus(): { refunds: RefundModel[]; actors: Map<string, string> } {
  const statuses = ['SUCCEEDED', 'PENDING', 'FAILED', 'REQUIRES_ACTION', 'CANCELED'] as const;
  const currencies = ['USD', 'JPY', 'KWD', 'EUR'] as const;
  const refunds = Array.from({ length: 40 }, (_, index) => {
    const provider = index % 3 === 0 ? 'EFUNDPAY' : 'WOOSHPAY';
    return refund({
      provider,
      status: statuses[index % statuses.length],
      currencyCode: currencies[index % currencies.length],
      amountMinor: 100 + index,
      // Ten days, four refunds a day; some share a createdAt exactly.
      createdAt: new Date(Date.UTC(2025, 2, 1 + (index % 10), 10, index % 2 === 0 ? 0 : 30)),
      paymentId:
        provider === 'WOOSHPAY'
          ? `pi_17877309000000000${index % 2}`
          : `3f8a9c1e-7b2d-4e6f-9a0b-1c2d3e4f5a6${index % 2}`,
      reason: index % 4 === 0 ? null : `reason-${index % 3}`,
    });
  });
  const actors = new Map<string, string>();
  refunds.forEach((model, index) => {
    if (index % 5 === 0) actors.set(model.id, index % 10 === 0 ? 'analyst-1' : 'analyst-2');
  });
  return { refunds, actors };
}

async function record(ledger: TestLedger, refunds: RefundModel[], actors = new Map<string, string>()) {
  const plain = refunds.filter((model) => !actors.has(model.id));
  if (plain.length > 0) await ledger.ledger.record(plain, 'read');
  for (const model of refunds.filter((candidate) => actors.has(candidate.id))) {
    await ledger.ledger.record([model], 'created', { actor: actors.get(model.id)!, idempotencyKeyHash: 'h' });
  }
}

/** Every page of a search, `pageSize` at a time; the ids in order. */
async function searchAll(search: RefundSearch, filter: RefundFilter | null, pageSize: number): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 100; pages += 1) {
    const page = await search.search({ filter, first: pageSize, after }, undefined);
    ids.push(...page.nodes.map((node) => node.id));
    if (!page.pageInfo.hasNextPage) return ids;
    after = page.pageInfo.endCursor;
  }
  throw new Error('Expected the search to end within 100 pages');
}

describe.each(['sqlite', 'postgres'] as const)('refund search on %s', (kind) => {
  it('respects every filter, alone and combined with AND; an empty filter means all', async () => {
    const { ledger, search } = await setUp(kind);
    const { refunds, actors } = corpus();
    await record(ledger, refunds, actors);
    const expected = (keep: (model: RefundModel) => boolean) =>
      refunds
        .filter(keep)
        .sort(listOrder)
        .map((model) => model.id);

    const cases: Array<[RefundFilter | null, (model: RefundModel) => boolean]> = [
      [null, () => true],
      [{}, () => true],
      [{ provider: 'EFUNDPAY' }, (m) => m.provider === 'EFUNDPAY'],
      [{ status: ['PENDING', 'REQUIRES_ACTION'] }, (m) => m.status === 'PENDING' || m.status === 'REQUIRES_ACTION'],
      [{ status: [] }, () => true],
      [{ currencyCode: 'jpy' }, (m) => m.amount.currencyCode === 'JPY'],
      [{ createdFrom: '2025-03-04T10:30:00.000Z' }, (m) => m.createdAt >= new Date('2025-03-04T10:30:00.000Z')],
      [{ createdTo: '2025-03-04T10:30:00.000Z' }, (m) => m.createdAt < new Date('2025-03-04T10:30:00.000Z')],
      [{ paymentId: 'wooshpay:pi_178773090000000001' }, (m) => m.paymentId === 'pi_178773090000000001'],
      [
        { paymentId: '3F8A9C1E-7B2D-4E6F-9A0B-1C2D3E4F5A60' },
        (m) => m.provider === 'EFUNDPAY' && m.paymentId === '3f8a9c1e-7b2d-4e6f-9a0b-1c2d3e4f5a60',
      ],
      [{ createdBy: 'analyst-1' }, (m) => actors.get(m.id) === 'analyst-1'],
      [
        {
          provider: 'WOOSHPAY',
          status: ['SUCCEEDED', 'FAILED', 'CANCELED'],
          createdFrom: '2025-03-02T00:00:00.000Z',
          createdTo: '2025-03-09T00:00:00.000Z',
        },
        (m) =>
          m.provider === 'WOOSHPAY' &&
          ['SUCCEEDED', 'FAILED', 'CANCELED'].includes(m.status) &&
          m.createdAt >= new Date('2025-03-02T00:00:00.000Z') &&
          m.createdAt < new Date('2025-03-09T00:00:00.000Z'),
      ],
    ];
    for (const [filter, keep] of cases) {
      const want = expected(keep);
      expect(want.length, `the corpus has refunds for ${JSON.stringify(filter)}`).toBeGreaterThan(0);
      expect(await searchAll(search, filter, 7), JSON.stringify(filter)).toEqual(want);
      const first = await search.search({ filter, first: 3 }, undefined);
      expect(await first.totalCount(), JSON.stringify(filter)).toBe(want.length);
    }
  });

  it('keeps its pages stable while refunds are recorded between them', async () => {
    const { ledger, search } = await setUp(kind);
    const { refunds } = corpus();
    await record(ledger, refunds);
    const original = [...refunds].sort(listOrder).map((model) => model.id);
    const seen: string[] = [];
    const olderOnes: RefundModel[] = [];
    let after: string | null = null;
    for (let pageIndex = 0; pageIndex < 20; pageIndex += 1) {
      const page = await search.search({ first: 6, after }, undefined);
      seen.push(...page.nodes.map((node) => node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
      if (pageIndex >= 3) continue;
      const last = page.nodes.at(-1)!;
      // Between pages: a newer refund (before every page read so far), one tied with the cursor
      // that sorts before it (already passed), and one older than everything (still ahead).
      const older = refund({ createdAt: new Date(Date.UTC(2025, 1, 1, pageIndex)) });
      olderOnes.push(older);
      await ledger.ledger.record(
        [
          refund({ createdAt: new Date(Date.UTC(2025, 2, 15, pageIndex)) }),
          refund({
            provider: 'EFUNDPAY',
            createdAt: last.createdAt,
            providerRefundId: '00000000-0000-4000-8000-000000000000'.replace(/0$/, String(pageIndex % 10)),
          }),
          older,
        ],
        'read',
      );
    }
    // Every original refund once, in order, then the older ones recorded meanwhile; never the newer
    // ones or those tied with a cursor but sorting before it (both already passed).
    expect(seen).toEqual([...original, ...[...olderOnes].sort(listOrder).map((model) => model.id)]);
  });

  it('sums exactly in minor units across currencies, above 2^31 too, and only within one currency', async () => {
    const { ledger, search } = await setUp(kind);
    const big = 3_000_000_017; // above 2^31
    await record(ledger, [
      refund({ currencyCode: 'JPY', amountMinor: 5000, createdAt: '2025-03-01T01:00:00.000Z' }),
      refund({ currencyCode: 'JPY', amountMinor: 7, createdAt: '2025-03-01T23:59:59.999Z' }),
      refund({ currencyCode: 'KWD', amountMinor: 12_345, createdAt: '2025-03-02T00:00:00.000Z' }),
      refund({ currencyCode: 'KWD', amountMinor: 1, createdAt: '2025-03-02T12:00:00.000Z' }),
      refund({ currencyCode: 'IDR', amountMinor: big, createdAt: '2025-03-02T13:00:00.000Z' }),
      refund({ currencyCode: 'IDR', amountMinor: big, createdAt: '2025-03-03T13:00:00.000Z' }),
      refund({ currencyCode: 'IDR', amountMinor: big, createdAt: '2025-03-03T14:00:00.000Z', status: 'PENDING' }),
    ]);
    const byCurrency = await search.summarize({ groupBy: ['CURRENCY'] }, undefined);
    expect(byCurrency).toEqual([
      {
        provider: null,
        status: null,
        currencyCode: 'IDR',
        day: null,
        reason: null,
        count: 3,
        amount: { minorUnits: 3 * big, currencyCode: 'IDR' },
      },
      {
        provider: null,
        status: null,
        currencyCode: 'JPY',
        day: null,
        reason: null,
        count: 2,
        amount: { minorUnits: 5007, currencyCode: 'JPY' },
      },
      {
        provider: null,
        status: null,
        currencyCode: 'KWD',
        day: null,
        reason: null,
        count: 2,
        amount: { minorUnits: 12_346, currencyCode: 'KWD' },
      },
    ]);
    // Several currencies in one row: a count, no amount.
    expect(await search.summarize({ groupBy: [] }, undefined)).toEqual([
      { provider: null, status: null, currencyCode: null, day: null, reason: null, count: 7, amount: null },
    ]);
    const byDayAndCurrency = await search.summarize(
      {
        filter: { createdFrom: '2025-03-01T00:00:00.000Z', createdTo: '2025-03-31T00:00:00.000Z' },
        groupBy: ['DAY', 'CURRENCY'],
      },
      undefined,
    );
    expect(byDayAndCurrency.map((row) => [row.day, row.currencyCode, row.count, row.amount?.minorUnits])).toEqual([
      ['2025-03-01', 'JPY', 2, 5007],
      ['2025-03-02', 'IDR', 1, big],
      ['2025-03-02', 'KWD', 2, 12_346],
      ['2025-03-03', 'IDR', 2, 2 * big],
    ]);
    const byStatus = await search.summarize(
      { filter: { currencyCode: 'IDR' }, groupBy: ['STATUS', 'PROVIDER'] },
      undefined,
    );
    expect(byStatus.map((row) => [row.status, row.provider, row.count, row.amount?.minorUnits])).toEqual([
      ['PENDING', 'WOOSHPAY', 1, big],
      ['SUCCEEDED', 'WOOSHPAY', 2, 2 * big],
    ]);
  });

  it('refuses more than 1,000 summary rows, saying how to narrow the summary', async () => {
    const { ledger, search } = await setUp(kind);
    await ledger.ledger.record(
      Array.from({ length: 1001 }, (_, index) => refund({ reason: `reason ${index}` })),
      'read',
    );
    await expect(search.summarize({ groupBy: ['REASON'] }, undefined)).rejects.toThrow(
      'This summary has more than 1000 rows: narrow it with filter.createdFrom/createdTo, provider, status or currencyCode, or group by fewer dimensions',
    );
    expect(await search.summarize({ filter: { status: ['SUCCEEDED'] }, groupBy: ['STATUS'] }, undefined)).toHaveLength(
      1,
    );
  });
});

describe('refund search input', () => {
  const search = createRefundSearch({
    queries: {
      page: () => Promise.reject(new Error('Expected no query')),
      count: () => Promise.reject(new Error('Expected no query')),
      summarize: () => Promise.reject(new Error('Expected no query')),
      refundsOfPayments: () => Promise.reject(new Error('Expected no query')),
    },
    authorizer: OPEN,
    now: () => NOW,
  });

  it.each([
    [
      { filter: { createdFrom: '2025-03-02T00:00:00.000Z', createdTo: '2025-03-02T00:00:00.000Z' } },
      'createdTo (2025-03-02T00:00:00.000Z) must be after createdFrom',
    ],
    [
      { filter: { createdFrom: '2025-03-02T00:00:00.000Z', createdTo: '2025-03-01T00:00:00.000Z' } },
      'must be after createdFrom',
    ],
    [{ filter: { currencyCode: 'XYZ' } }, 'Unknown currency "XYZ"'],
    [{ filter: { paymentId: 'pi_' } }, 'Invalid payment id "pi_"'],
    [{ filter: { paymentId: 'wooshpay:3f8a9c1e-7b2d-4e6f-9a0b-1c2d3e4f5a60' } }, 'Invalid payment id'],
    [{ first: 101 }, 'first must be between 1 and 100, received 101'],
    [{ first: 0 }, 'first must be between 1 and 100, received 0'],
    [{ after: 'not-a-cursor' }, 'Invalid cursor "not-a-cursor"'],
  ])('refuses %j before any query', async (args, message) => {
    const refused = search.search(args, undefined);
    await expect(refused).rejects.toBeInstanceOf(InvalidInputError);
    await expect(refused).rejects.toThrow(message);
  });

  it.each([
    [{ createdFrom: '2024-03-18T00:00:00.000Z' }, 'covers at most 366 days; createdFrom to now is 367 days'],
    [
      { createdFrom: '2025-01-01T00:00:00.000Z', createdTo: '2026-01-03T00:00:00.000Z' },
      'createdFrom to createdTo is 367 days',
    ],
    [{}, 'A summary grouped by DAY needs filter.createdFrom'],
  ])('refuses a DAY summary over %j before any query', async (filter, message) => {
    const refused = search.summarize({ filter, groupBy: ['DAY', 'CURRENCY'] }, undefined);
    await expect(refused).rejects.toBeInstanceOf(InvalidInputError);
    await expect(refused).rejects.toThrow(message);
  });
});
