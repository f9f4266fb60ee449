/**
 * The pure half of the analysts' GraphiQL panel (web/graphiql): finding refund lists and day
 * summaries in a result, sorting refunds, turning summary rows into chart series, and the saved
 * tabs' relative dates.
 */
import { describe, expect, it } from 'vitest';

import { analystTabs } from '../../web/graphiql/analyst-operations.js';
import { amountCurrencies, consecutiveDays, toDailySeries } from '../../web/graphiql/daily-series.js';
import { compareDecimals, sortRefunds } from '../../web/graphiql/refund-order.js';
import {
  findDaySummaries,
  findRefundLists,
  resultData,
  type RefundRow,
  type SummaryRow,
} from '../../web/graphiql/result-shapes.js';

const usd = (decimal: string) => ({ decimal, currencyCode: 'USD' });

describe('resultData', () => {
  it('reads `data` from the response text GraphiQL shows, and nothing from text that is not JSON', () => {
    expect(resultData('{"data":{"a":1}}')).toEqual({ a: 1 });
    expect(resultData('{"errors":[{"message":"x"}]}')).toBeUndefined();
    expect(resultData('TypeError: Failed to fetch')).toBeUndefined();
    expect(resultData(null)).toBeUndefined();
  });
});

describe('findRefundLists', () => {
  it('finds connection nodes, payment refunds and refunds(ids:) lists wherever they sit, aliases included', () => {
    const data = {
      payment: {
        id: 'efundpay:p',
        refunds: {
          totalCount: 2,
          nodes: [
            { id: 'r1', status: 'SUCCEEDED', amount: usd('1.00') },
            { id: 'r2', status: 'PENDING' },
          ],
        },
      },
      recent: { nodes: [] },
      refunds: [
        { id: 'r3', amount: null, createdAt: '2024-04-25T07:31:14.000Z', payment: { id: 'wooshpay:pi_1' } },
        null,
      ],
    };
    const lists = findRefundLists(data);
    expect(lists.map((list) => [list.path, list.refunds.map((refund) => refund.id), list.missing])).toEqual([
      ['payment.refunds.nodes', ['r1', 'r2'], 0],
      ['recent.nodes', [], 0],
      ['refunds', ['r3'], 1],
    ]);
    expect(lists[0]?.refunds[0]).toEqual({ id: 'r1', status: 'SUCCEEDED', amount: usd('1.00') });
    expect(lists[2]?.refunds[0]).toEqual({
      id: 'r3',
      amount: null,
      createdAt: '2024-04-25T07:31:14.000Z',
      paymentId: 'wooshpay:pi_1',
    });
  });

  it('ignores arrays under other keys and arrays of things that are not refunds', () => {
    const data = {
      refundSummary: [{ day: '2024-04-25', count: 1 }],
      nodes: [{ name: 'not a refund' }],
      refunds: [{ id: 'only an id' }],
      metadata: [{ id: 'x', status: 'SUCCEEDED' }],
    };
    expect(findRefundLists(data)).toEqual([]);
    expect(findRefundLists(undefined)).toEqual([]);
  });
});

describe('findDaySummaries', () => {
  it('finds summary rows grouped by DAY under any name, and skips summaries without days', () => {
    const data = {
      refundSummary: [
        { day: '2024-04-25', currencyCode: 'USD', count: 2, amount: usd('3.00') },
        { day: '2024-04-27', currencyCode: 'EUR', count: 1, amount: null },
      ],
      byStatus: [{ day: null, status: 'PENDING', count: 4 }],
      empty: [],
    };
    const summaries = findDaySummaries(data);
    expect(summaries.map((summary) => summary.path)).toEqual(['refundSummary']);
    expect(summaries[0]?.rows[0]).toEqual({
      day: '2024-04-25',
      count: 2,
      amount: usd('3.00'),
      currencyCode: 'USD',
      status: null,
      provider: null,
      reason: null,
    });
  });
});

describe('sortRefunds', () => {
  const rows: RefundRow[] = [
    { id: 'a', status: 'PENDING', amount: usd('10.00'), createdAt: '2024-04-25T10:00:00.000Z' },
    {
      id: 'b',
      status: 'FAILED',
      amount: { decimal: '5000', currencyCode: 'JPY' },
      createdAt: '2024-04-24T10:00:00.000Z',
    },
    { id: 'c', amount: usd('9.99'), createdAt: '2024-04-26T10:00:00.000Z' },
    { id: 'd', status: 'CANCELED', amount: null, createdAt: '2024-04-23T10:00:00.000Z' },
  ];
  const ids = (sorted: RefundRow[]) => sorted.map((row) => row.id);

  it('sorts amounts by currency, then exactly by value; missing amounts last either way', () => {
    expect(ids(sortRefunds(rows, { column: 'amount', direction: 'ascending' }))).toEqual(['b', 'c', 'a', 'd']);
    expect(ids(sortRefunds(rows, { column: 'amount', direction: 'descending' }))).toEqual(['a', 'c', 'b', 'd']);
  });

  it('sorts by time and by text, leaving the input as it was', () => {
    expect(ids(sortRefunds(rows, { column: 'createdAt', direction: 'ascending' }))).toEqual(['d', 'b', 'a', 'c']);
    expect(ids(sortRefunds(rows, { column: 'status', direction: 'ascending' }))).toEqual(['d', 'b', 'a', 'c']);
    expect(ids(rows)).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('compareDecimals', () => {
  it.each([
    ['9.99', '10.00', -1],
    ['10', '10.000', 0],
    ['0.125', '0.12', 1],
    ['-1.5', '1.5', -1],
    ['-2', '-1.99', -1],
    ['-0.00', '0', 0],
    ['9007199254740993.01', '9007199254740993.001', 1],
    ['0012.5', '12.50', 0],
  ])('%s against %s is %i', (left, right, expected) => {
    expect(compareDecimals(left, right)).toBe(expected);
  });

  it('says what it expected when given something that is not a decimal', () => {
    expect(() => compareDecimals('1e3', '1')).toThrow('Expected a decimal string such as "12.99", received "1e3"');
  });
});

describe('toDailySeries', () => {
  const row = (
    day: string,
    currencyCode: string | null,
    count: number,
    amount: string | null,
    status: string | null = null,
  ): SummaryRow => ({
    day,
    count,
    currencyCode,
    status,
    provider: null,
    reason: null,
    amount: amount === null ? null : { decimal: amount, currencyCode: currencyCode ?? 'USD' },
  });

  it('gives one series per currency with a point for every day from the first to the last, 0 where no row is', () => {
    const chart = toDailySeries(
      [row('2024-04-25', 'USD', 2, '3.10'), row('2024-04-28', 'USD', 1, '0.20'), row('2024-04-26', 'JPY', 1, '5000')],
      'count',
    );
    expect(chart.days).toEqual(['2024-04-25', '2024-04-26', '2024-04-27', '2024-04-28']);
    expect(chart.series.map((series) => [series.label, series.values])).toEqual([
      ['JPY', [0, 1, 0, 0]],
      ['USD', [2, 0, 0, 1]],
    ]);
  });

  it('charts amounts in each currency to its own digits, leaving out rows that mix currencies', () => {
    const chart = toDailySeries(
      [row('2024-04-25', 'USD', 2, '0.10'), row('2024-04-25', 'USD', 1, '0.20'), row('2024-04-26', null, 3, null)],
      'amount',
    );
    expect(chart.days).toEqual(['2024-04-25']);
    expect(chart.series).toEqual([{ label: 'USD', status: null, currencyCode: 'USD', values: [0.3], decimals: 2 }]);
    expect(chart.rowsWithoutAmount).toBe(1);
  });

  it('charts amounts one currency at a time, with a series per status coloured by it', () => {
    const rows = [
      row('2024-04-25', 'USD', 1, '10.00', 'SUCCEEDED'),
      row('2024-04-25', 'JPY', 1, '5000', 'SUCCEEDED'),
      row('2024-04-26', 'JPY', 2, '700', 'PENDING'),
    ];
    expect(amountCurrencies(rows)).toEqual(['JPY', 'USD']);
    const jpy = toDailySeries(rows, 'amount', 'JPY');
    expect(jpy.series.map((series) => [series.label, series.status, series.values])).toEqual([
      ['JPY · PENDING', 'PENDING', [0, 700]],
      ['JPY · SUCCEEDED', 'SUCCEEDED', [5000, 0]],
    ]);
    // Counted across currencies, a status alone does not tell USD · SUCCEEDED from JPY · SUCCEEDED.
    expect(toDailySeries(rows, 'count').series.map((series) => series.status)).toEqual([null, null, null]);
  });

  it('names a status series by its status (for its colour) and a DAY-only summary "All refunds"', () => {
    expect(toDailySeries([row('2024-04-25', null, 1, null, 'PENDING')], 'count').series[0]).toMatchObject({
      label: 'PENDING',
      status: 'PENDING',
    });
    expect(toDailySeries([row('2024-04-25', null, 4, null)], 'count').series[0]).toMatchObject({
      label: 'All refunds',
      values: [4],
    });
  });

  it('spans UTC days across month ends and stops at 366 days', () => {
    expect(consecutiveDays(['2024-03-01', '2024-02-28'])).toEqual(['2024-02-28', '2024-02-29', '2024-03-01']);
    expect(consecutiveDays(['2020-01-01', '2030-01-01'])).toHaveLength(366);
    expect(consecutiveDays([])).toEqual([]);
  });
});

describe('analystTabs', () => {
  it('starts "this week" at the UTC midnight six days back and "older than a day" 24 hours back', () => {
    const tabs = analystTabs(new Date('2026-12-04T19:05:00.000Z'));
    expect(tabs.map((tab) => /query (\w+)/.exec(tab.query)?.[1])).toEqual([
      'RefundsOfAPayment',
      'RefundsThisWeekByDayAndCurrency',
      'PendingRefundsOlderThanADay',
    ]);
    expect(JSON.parse(tabs[1]?.variables ?? '')).toEqual({ from: '2026-11-28T00:00:00.000Z' });
    expect(JSON.parse(tabs[2]?.variables ?? '')).toEqual({ before: '2026-12-03T19:05:00.000Z' });
  });
});
