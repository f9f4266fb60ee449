/**
 * A `refundSummary` grouped by DAY as a uPlot line chart, one series per currency or status:
 * counts per day, or amounts per day in one currency at a time (toggles). The same numbers follow in a table for screen readers
 * and for reading exact values. uPlot draws on a canvas and styles its own elements through
 * the CSSOM, which the page's CSP allows.
 */
import 'uplot/dist/uPlot.min.css';

import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';

import { amountCurrencies, toDailySeries, type DailyChartData, type Measure } from './daily-series.js';
import { SERIES_PALETTE, STATUS_COLOURS, statusLabel } from './refund-status.js';
import type { DaySummary } from './result-shapes.js';

const CHART_HEIGHT = 260;
/** Grid lines and ticks: grey at low opacity reads on light and dark themes alike. */
const GRID = 'rgba(128, 128, 128, 0.3)';
const DAY_S = 86_400;
const HALF_DAY_S = DAY_S / 2;
const DAY_TICKS = [1, 2, 7, 14, 28, 91].map((days) => days * DAY_S);
const DAY_LABEL = new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric', timeZone: 'UTC' });

/** Whole numbers only: a count of refunds has no 0.5. */
const COUNT_TICKS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 100_000, 1_000_000];

/**
 * Lines 2 px wide; a point on each day with refunds (a day at 0 is only the line passing through).
 * Earlier series get bigger points, so where two series meet (the same value on the same day)
 * the later one's point shows inside the earlier one's, as rings. `layer` counts from the top.
 */
function seriesStyle(layer: number): Pick<uPlot.Series, 'width' | 'points'> {
  return { width: 2, points: { show: true, size: 7 + 4 * Math.min(layer, 3), filter: daysWithRefunds } };
}

/** The indices of a series' non-zero values: where its points are drawn. */
function daysWithRefunds(plot: uPlot, seriesIndex: number): number[] {
  const values: ArrayLike<number | null | undefined> = plot.data[seriesIndex] ?? [];
  return Array.from(values).flatMap((value, index) => (typeof value === 'number' && value > 0 ? [index] : []));
}

/** The UTC day `YYYY-MM-DD` as uPlot's x value: seconds since the epoch at its start. */
function daySeconds(day: string | undefined): number | undefined {
  return day === undefined ? undefined : Date.parse(`${day}T00:00:00Z`) / 1000;
}

/** `Dec 4` for the UTC day starting at `seconds`. */
function dayLabel(seconds: number): string {
  return DAY_LABEL.format(new Date(seconds * 1000));
}

export function SummaryChart({ summary }: { summary: DaySummary }) {
  const [measure, setMeasure] = useState<Measure>('count');
  const [pickedCurrency, setPickedCurrency] = useState<string | null>(null);
  const currencies = useMemo(() => amountCurrencies(summary.rows), [summary.rows]);
  const currency = measure === 'amount' ? pickCurrency(currencies, pickedCurrency) : null;
  const data = useMemo(() => toDailySeries(summary.rows, measure, currency), [summary.rows, measure, currency]);
  // A series keeps its colour across the toggles: colours follow the series of the count chart.
  const colourSlots = useMemo(
    () => new Map(toDailySeries(summary.rows, 'count').series.map((series, index) => [series.label, index])),
    [summary.rows],
  );
  const points = data.days.length * data.series.length;

  return (
    <figure className="analysts-chart" data-path={summary.path} data-measure={measure} data-points={points}>
      <figcaption>
        <code>{summary.path}</code> per day:{' '}
        {currency === null ? 'how many refunds' : `how much was refunded, in ${currency}`}
      </figcaption>
      <div className="analysts-toggle" role="group" aria-label="Chart per day">
        {(['count', 'amount'] as const).map((choice) => (
          <button key={choice} type="button" aria-pressed={measure === choice} onClick={() => setMeasure(choice)}>
            {choice === 'count' ? 'Count' : 'Amount'}
          </button>
        ))}
      </div>
      {measure === 'amount' && currencies.length > 1 ? (
        <div className="analysts-toggle" role="group" aria-label="Currency of the amounts">
          {currencies.map((code) => (
            <button key={code} type="button" aria-pressed={code === currency} onClick={() => setPickedCurrency(code)}>
              {code}
            </button>
          ))}
        </div>
      ) : null}
      {data.rowsWithoutAmount > 0 ? (
        <p className="analysts-note">
          {data.rowsWithoutAmount} row(s) mix currencies and have no amount: group by CURRENCY to chart them.
        </p>
      ) : null}
      {points === 0 ? (
        <p className="analysts-note">Nothing to chart.</p>
      ) : (
        <Plot data={data} measure={measure} colourSlots={colourSlots} />
      )}
      <details className="analysts-chart-data">
        <summary>The numbers</summary>
        <div className="analysts-scroll">
          <ChartTable data={data} />
        </div>
      </details>
    </figure>
  );
}

interface PlotProps {
  data: DailyChartData;
  measure: Measure;
  colourSlots: ReadonlyMap<string, number>;
}

function Plot({ data, measure, colourSlots }: PlotProps) {
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const target = container.current;
    if (!target) return undefined;
    // Axes are drawn on the canvas, so they take the panel's text colour (light or dark theme) here.
    const ink = getComputedStyle(target).color;
    const options = chartOptions(data, measure, colourSlots, target.clientWidth, ink);
    const plot = new uPlot(options, alignedData(data), target);
    const resize = new ResizeObserver(() => plot.setSize({ width: target.clientWidth, height: CHART_HEIGHT }));
    resize.observe(target);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [data, measure, colourSlots]);

  return <div ref={container} className="analysts-plot" />;
}

function chartOptions(
  data: DailyChartData,
  measure: Measure,
  colourSlots: ReadonlyMap<string, number>,
  width: number,
  ink: string,
): uPlot.Options {
  const axis = { stroke: ink, grid: { stroke: GRID }, ticks: { stroke: GRID } };
  const [firstDay = 0, lastDay = firstDay] = [data.days[0], data.days.at(-1)].map(daySeconds);
  return {
    width: Math.max(width, 200),
    height: CHART_HEIGHT,
    // Days are UTC (the summary's `day`); show them as such whatever the browser's time zone.
    tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
    scales: {
      // Half a day of margin either side, so a single day is a point in the middle, not a year-wide axis.
      x: { time: true, auto: false, range: () => [firstDay - HALF_DAY_S, lastDay + HALF_DAY_S] },
      y: { range: (_plot, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
    },
    axes: [
      // Ticks on whole days (or weeks, months), labelled as UTC days.
      { ...axis, incrs: DAY_TICKS, values: (_plot, ticks) => ticks.map(dayLabel) },
      { ...axis, size: 60, ...(measure === 'count' ? { label: 'Refunds', incrs: COUNT_TICKS } : { label: 'Amount' }) },
    ],
    series: [
      { label: 'Day', value: '{YYYY}-{MM}-{DD}' },
      ...data.series.map((series, index) => ({
        label: series.status ? statusLabel(series.status) : series.label,
        stroke: seriesColour(series.status, colourSlots.get(series.label) ?? index),
        ...seriesStyle(data.series.length - 1 - index),
      })),
    ],
  };
}

/** The currency the analyst picked, while the result still has amounts in it; else the first. */
function pickCurrency(currencies: readonly string[], picked: string | null): string | null {
  return picked !== null && currencies.includes(picked) ? picked : (currencies[0] ?? null);
}

function alignedData(data: DailyChartData): uPlot.AlignedData {
  return [
    data.days.map((day) => Date.parse(`${day}T00:00:00Z`) / 1000),
    ...data.series.map((series) => [...series.values]),
  ];
}

function seriesColour(status: string | null, index: number): string {
  return (status ? STATUS_COLOURS[status] : undefined) ?? SERIES_PALETTE[index % SERIES_PALETTE.length] ?? '#0969da';
}

function ChartTable({ data }: { data: DailyChartData }) {
  return (
    <table className="analysts-table analysts-chart-table">
      <thead>
        <tr>
          <th scope="col">Day (UTC)</th>
          {data.series.map((series) => (
            <th key={series.label} scope="col" className="analysts-numeric">
              {series.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {data.days.map((day, dayIndex) => (
          <tr key={day}>
            <th scope="row">{day}</th>
            {data.series.map((series) => (
              <td key={series.label} className="analysts-numeric">
                {series.values[dayIndex]?.toFixed(series.decimals)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
