/**
 * Turns summary rows grouped by DAY into the chart's data: one point per day from the first day
 * to the last (a day without a row is 0: the summary has no row for a day without refunds), and
 * one series per combination of the other dimensions (currency, status, provider, reason).
 * Pure: the chart component only draws what this returns.
 */
import type { SummaryRow } from './result-shapes.js';

export type Measure = 'count' | 'amount';

export interface DailySeries {
  /** e.g. `EUR`, `PENDING`, `EUR · PENDING`; `All refunds` when grouped by DAY alone. */
  readonly label: string;
  /** Set when the series is one status (grouped by DAY and STATUS only), for its colour. */
  readonly status: string | null;
  /** Set when every point of the series is an amount in this currency. */
  readonly currencyCode: string | null;
  /** One value per day of `DailyChartData.days`. */
  readonly values: readonly number[];
  /** Digits after the decimal point its values are exact to: 0 for counts, the currency's for amounts. */
  readonly decimals: number;
}

export interface DailyChartData {
  /** Consecutive UTC days, `YYYY-MM-DD`. */
  readonly days: readonly string[];
  readonly series: readonly DailySeries[];
  /** Rows an amount chart cannot show because their amount is null (several currencies in one row). */
  readonly rowsWithoutAmount: number;
}

/** The summary never spans more than 366 days for DAY; this bounds a malformed result's chart. */
const MAX_DAYS = 366;
const DAY_MS = 86_400_000;

/**
 * The chart of `rows` by count, or by amount in one currency: amounts in different currencies
 * share no scale (¥5,000 would dwarf $50.00), so an amount chart shows one currency at a time,
 * with a series per the other dimensions (e.g. status).
 */
export function toDailySeries(
  rows: readonly SummaryRow[],
  measure: Measure,
  currencyCode: string | null = null,
): DailyChartData {
  const charted =
    measure === 'amount'
      ? rows.filter((row) => row.amount !== null && (currencyCode === null || row.amount.currencyCode === currencyCode))
      : rows;
  const days = consecutiveDays(charted.map((row) => row.day));
  const dayIndex = new Map(days.map((day, index) => [day, index]));
  const series = new Map<
    string,
    { status: string | null; currencyCode: string | null; values: number[]; decimals: number }
  >();
  for (const row of charted) {
    const seriesCurrency = measure === 'amount' ? (row.amount?.currencyCode ?? null) : row.currencyCode;
    const others = [row.status, row.provider, row.reason].filter((part) => part !== null);
    const parts = seriesCurrency === null ? others : [seriesCurrency, ...others];
    const label = parts.length === 0 ? 'All refunds' : parts.join(' · ');
    let entry = series.get(label);
    if (!entry) {
      // A status colours its series only when nothing else tells the series apart.
      const byStatusAlone =
        row.status !== null && others.length === 1 && (seriesCurrency === null || currencyCode !== null);
      entry = {
        status: byStatusAlone ? row.status : null,
        currencyCode: seriesCurrency,
        values: days.map(() => 0),
        decimals: 0,
      };
      series.set(label, entry);
    }
    const index = dayIndex.get(row.day);
    if (index === undefined) continue;
    const decimal = row.amount?.decimal ?? '0';
    if (measure === 'amount') entry.decimals = Math.max(entry.decimals, decimal.split('.')[1]?.length ?? 0);
    const sum = (entry.values[index] ?? 0) + (measure === 'amount' ? Number(decimal) : row.count);
    // Sums of decimal amounts as floats drift (0.1 + 0.2); round back to the currency's digits.
    entry.values[index] = Number(sum.toFixed(entry.decimals));
  }
  return {
    days,
    series: [...series.entries()]
      .sort(([a], [b]) => a.localeCompare(b, 'en'))
      .map(([label, entry]) => ({ label, ...entry })),
    rowsWithoutAmount: measure === 'amount' ? rows.filter((row) => row.amount === null).length : 0,
  };
}

/** The currencies the rows have amounts in, alphabetically: the amount chart's choices. */
export function amountCurrencies(rows: readonly SummaryRow[]): string[] {
  return [...new Set(rows.flatMap((row) => (row.amount ? [row.amount.currencyCode] : [])))].sort();
}

/** Every UTC day from the earliest to the latest of `days`, at most MAX_DAYS of them. */
export function consecutiveDays(days: readonly string[]): string[] {
  if (days.length === 0) return [];
  const times = days.map((day) => Date.parse(`${day}T00:00:00Z`));
  const first = Math.min(...times);
  const last = Math.min(Math.max(...times), first + (MAX_DAYS - 1) * DAY_MS);
  const all: string[] = [];
  for (let time = first; time <= last; time += DAY_MS) all.push(new Date(time).toISOString().slice(0, 10));
  return all;
}
