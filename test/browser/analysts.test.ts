/**
 * The analysts' GraphiQL panel in a real browser (Debian's chromium through playwright-core, as
 * test/browser/graphiql.test.ts): refunds created this week through `createRefund`, the saved
 * tab "Refunds this week by day and currency" run as it is, and the "Refund pictures" panel
 * drawing its result. Every expected number comes from the same request the page sent, replayed
 * over HTTP to the same server: the chart has a point per day from the first to the last and a
 * series per currency, the table a row per refund. Screenshots go to test-artifacts/.
 *
 * Never skipped: without chromium or without the built page it fails, saying how to fix it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/server/package-root.js';
import { SERIES_PALETTE } from '../../web/graphiql/refund-status.js';
import { openChromium, type OpenBrowser } from '../helpers/chromium.js';
import { postGraphQL, startStack, type Stack } from '../helpers/stack.js';

const ARTIFACTS = join(packageRoot(), 'test-artifacts');
const TAB = 'RefundsThisWeekByDayAndCurrency';
const DAY_MS = 86_400_000;

/**
 * Refunds created now at both providers, so this week has something to draw: a different count per
 * currency (USD 3, EUR 2, JPY 1), so that no currency's point hides another's on the same day.
 */
const REFUNDS_TO_CREATE = [
  { provider: 'WOOSHPAY', paymentId: 'pi_1787730900000000001', minorUnits: 1500, currencyCode: 'USD' },
  { provider: 'WOOSHPAY', paymentId: 'pi_1787730829493927936', minorUnits: 500, currencyCode: 'USD' },
  { provider: 'EFUNDPAY', paymentId: '3f8a9c1e-7b2d-4e6f-9a0b-1c2d3e4f5a60', minorUnits: 2500, currencyCode: 'USD' },
  { provider: 'WOOSHPAY', paymentId: 'pi_1787730900000000002', minorUnits: 1000, currencyCode: 'EUR' },
  { provider: 'EFUNDPAY', paymentId: '3f8a9c1e-7b2d-4e6f-9a0b-1c2d3e4f5a61', minorUnits: 750, currencyCode: 'EUR' },
  { provider: 'WOOSHPAY', paymentId: 'pi_1787730900000000003', minorUnits: 500, currencyCode: 'JPY' },
] as const;

const CREATE_REFUND = /* GraphQL */ `
  mutation CreateRefund($input: CreateRefundInput!) {
    createRefund(input: $input) {
      __typename
      ... on RefundCreated {
        refund {
          id
        }
      }
      ... on RefundRejected {
        code
        message
      }
    }
  }
`;

interface Money {
  decimal: string;
  currencyCode: string;
}
interface WeekResult {
  refundSummary: Array<{ day: string; currencyCode: string; count: number; amount: Money | null }>;
  refundSearch: { totalCount: number | null; nodes: Array<{ id: string; status: string; amount: Money }> };
}

describe('Refund pictures: the analysts panel in chromium', () => {
  let stack: Stack;
  let page: Page;
  let browser: OpenBrowser | undefined;
  let requests: Request[] = [];
  let consoleProblems: string[] = [];

  beforeAll(async () => {
    stack = await startStack();
    for (const [index, refund] of REFUNDS_TO_CREATE.entries()) {
      const response = await stack.graphql<{ createRefund: { __typename: string } }>(CREATE_REFUND, {
        input: {
          provider: refund.provider,
          paymentId: refund.paymentId,
          amount: { minorUnits: refund.minorUnits, currencyCode: refund.currencyCode },
          reason: 'REQUESTED_BY_CUSTOMER',
          idempotencyKey: `analysts-browser-test-${index}`,
        },
      });
      expect(response.body, JSON.stringify(refund)).toMatchObject({
        data: { createRefund: { __typename: 'RefundCreated' } },
      });
    }
    browser = await openChromium('analysts-chromium');
    ({ page, requests, consoleProblems } = browser);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** What the server answers to exactly the request the page sent, asked again over HTTP. */
  async function replay(request: Request): Promise<WeekResult> {
    const sent = JSON.parse(request.postData() ?? '{}') as { query: string; variables?: Record<string, unknown> };
    const answer = await postGraphQL<WeekResult>(stack.url, sent.query, sent.variables);
    expect(answer.body.errors).toBeUndefined();
    return answer.body.data!;
  }

  it('runs the saved tab and draws a point per day and currency, and a table row per refund', async () => {
    await page.goto(`${stack.url}/graphql`);
    await page.locator('.graphiql-query-editor .monaco-editor').waitFor({ timeout: 30_000 });
    await page.locator('.graphiql-tab', { hasText: TAB }).click();

    // The ledger records created refunds; wait until this week's search sees all of them.
    const today = new Date();
    const weekStart = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) - 6 * DAY_MS);
    await expect
      .poll(
        async () =>
          (
            await stack.graphql<{ refundSearch: { totalCount: number | null; nodes: unknown[] } }>(
              'query($from: DateTime!) { refundSearch(filter: { createdFrom: $from }, first: 100) { totalCount nodes { id } } }',
              { from: weekStart.toISOString() },
            )
          ).body,
        { timeout: 15_000 },
      )
      .toSatisfy(
        (body: { data?: { refundSearch: { nodes: unknown[] } } | null }) =>
          (body.data?.refundSearch.nodes.length ?? -1) >= REFUNDS_TO_CREATE.length,
      );

    const answered = page.waitForResponse(
      (response) => response.url() === `${stack.url}/graphql` && (response.request().postData() ?? '').includes(TAB),
      { timeout: 30_000 },
    );
    await page.locator('button.graphiql-execute-button').click();
    const response = await answered;
    expect(response.status()).toBe(200);
    expect(JSON.parse(response.request().postData() ?? '{}')).toMatchObject({
      variables: { from: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T00:00:00\.000Z$/) as unknown },
    });

    const expected = await replay(response.request());
    const days = daySpan(expected.refundSummary.map((row) => row.day));
    const currencies = [...new Set(expected.refundSummary.map((row) => row.currencyCode))].sort();
    expect(currencies.length).toBeGreaterThanOrEqual(3);
    expect(expected.refundSearch.nodes.length).toBeGreaterThanOrEqual(REFUNDS_TO_CREATE.length);

    await page.locator('button[aria-label="Show Refund pictures"]').click();
    const chart = page.locator('figure.analysts-chart[data-path="refundSummary"]');
    await chart.waitFor({ timeout: 15_000 });

    // The chart: uPlot's legend names each series, and the numbers under it are one row per day
    // with a column per currency: the points drawn.
    await expect.poll(() => chart.locator('.u-legend .u-series').allInnerTexts()).toHaveLength(currencies.length + 1);
    const legend = await chart.locator('.u-legend .u-series .u-label').allInnerTexts();
    expect(legend).toEqual(['Day', ...currencies]);
    expect(await chart.locator('.analysts-chart-table thead th').allTextContents()).toEqual([
      'Day (UTC)',
      ...currencies,
    ]);
    const shownRows = await chart
      .locator('.analysts-chart-table tbody tr')
      .evaluateAll((rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent ?? '')));
    expect(shownRows).toEqual(
      days.map((day) => [
        day,
        ...currencies.map((code) =>
          String(
            expected.refundSummary
              .filter((row) => row.day === day && row.currencyCode === code)
              .reduce((sum, row) => sum + row.count, 0),
          ),
        ),
      ]),
    );
    expect(await chart.getAttribute('data-points')).toBe(String(days.length * currencies.length));
    // Each series was drawn on the canvas in its own colour.
    const colours = currencies.map((_code, index) => SERIES_PALETTE[index]!);
    expect(await canvasHasColours(page, colours)).toEqual(colours.map(() => true));

    // The table: one row per refund, statuses named, money as its decimal and currency code.
    const table = page.locator('table.analysts-table[data-path="refundSearch.nodes"]');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(expected.refundSearch.nodes.length);
    const statuses = await table.locator('tbody .refund-status').allInnerTexts();
    expect(statuses).toEqual(expected.refundSearch.nodes.map((node) => sentenceCase(node.status)));
    const amountColumn = await columnIndex(table, 'Amount');
    const amounts = () => table.locator(`tbody tr td:nth-child(${amountColumn + 1})`).allInnerTexts();
    expect(await amounts()).toEqual(expected.refundSearch.nodes.map((node) => money(node.amount)));

    // Pictures for the README (docs/images/): the panel widened by its drag bar, before any sorting.
    await widenPanel(page);
    mkdirSync(ARTIFACTS, { recursive: true });
    await chart.screenshot({ path: join(ARTIFACTS, 'analysts-chart.png') });
    await page.locator('.analysts-scroll', { has: table }).screenshot({ path: join(ARTIFACTS, 'analysts-table.png') });

    // Sorting by amount groups currencies, then orders exactly by value; again for descending.
    const byAmount = [...expected.refundSearch.nodes]
      .map((node) => node.amount)
      .sort((a, b) => a.currencyCode.localeCompare(b.currencyCode) || Number(a.decimal) - Number(b.decimal));
    await table.locator('thead button', { hasText: 'Amount' }).click();
    expect(await amounts()).toEqual(byAmount.map(money));
    expect(await table.locator('thead th', { hasText: 'Amount' }).getAttribute('aria-sort')).toBe('ascending');
    await table.locator('thead button', { hasText: 'Amount' }).click();
    expect(await amounts()).toEqual(byAmount.reverse().map(money));

    // Amounts: one currency at a time, a choice per currency the summary has amounts in.
    await chart.locator('button', { hasText: /^Amount$/ }).click();
    await expect.poll(() => chart.getAttribute('data-measure')).toBe('amount');
    expect(await chart.locator('[aria-label="Currency of the amounts"] button').allInnerTexts()).toEqual(currencies);
    expect(await chart.locator('.analysts-chart-table thead th').allTextContents()).toEqual([
      'Day (UTC)',
      currencies[0],
    ]);
  });

  it('loaded everything from the subgraph itself, with no CSP violation or console error', async () => {
    const outside = requests
      .map((request) => request.url())
      .filter((url) => !url.startsWith('http://127.0.0.1:') && !url.startsWith('data:'));
    expect(outside, 'requests that left the subgraph').toEqual([]);
    expect(requests.length).toBeGreaterThan(2);
    expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
    expect(consoleProblems).toEqual([]);
  });
});

/** Drags the bar between the plugin panel and the editors to the right, as a reader would. */
async function widenPanel(page: Page): Promise<void> {
  const bar = await page.locator('.graphiql-horizontal-drag-bar').first().boundingBox();
  if (!bar) throw new Error('Expected the plugin panel to have a drag bar, found none');
  await page.mouse.move(bar.x + bar.width / 2, bar.y + 200);
  await page.mouse.down();
  await page.mouse.move(bar.x + 420, bar.y + 200, { steps: 5 });
  await page.mouse.up();
}

/** Every UTC day from the earliest to the latest given. */
function daySpan(days: string[]): string[] {
  const times = days.map((day) => Date.parse(`${day}T00:00:00Z`));
  const span: string[] = [];
  for (let time = Math.min(...times); time <= Math.max(...times); time += DAY_MS)
    span.push(new Date(time).toISOString().slice(0, 10));
  return span;
}

function money(amount: Money): string {
  return `${amount.decimal} ${amount.currencyCode}`;
}

/** `REQUIRES_ACTION` -> `Requires action`, as a reader sees a status badge. */
function sentenceCase(status: string): string {
  const words = status.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

async function columnIndex(table: ReturnType<Page['locator']>, title: string): Promise<number> {
  const titles = await table.locator('thead th').allInnerTexts();
  const index = titles.findIndex((text) => text.trim() === title);
  expect(index, `a column titled ${title} among ${titles.join(', ')}`).toBeGreaterThanOrEqual(0);
  return index;
}

/** For each `#rrggbb`, whether the chart's canvas has a pixel of exactly that colour. */
async function canvasHasColours(page: Page, colours: string[]): Promise<boolean[]> {
  return page.evaluate((wanted) => {
    const canvas = document.querySelector<HTMLCanvasElement>('figure.analysts-chart canvas');
    const context = canvas?.getContext('2d');
    if (!canvas || !context) return wanted.map(() => false);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < pixels.length; i += 4) {
      if (pixels[i + 3] === 255) seen.add((pixels[i]! << 16) | (pixels[i + 1]! << 8) | pixels[i + 2]!);
    }
    return wanted.map((colour) => seen.has(Number.parseInt(colour.slice(1), 16)));
  }, colours);
}
