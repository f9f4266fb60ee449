/**
 * The analysts' sidebar panel (GraphiQL 5's plugin API: a title, an icon, a content component):
 * the active tab's last result drawn as pictures. Every day summary (`refundSummary` grouped by
 * DAY) becomes a chart, every refund list (`nodes`, `refunds`) a sortable table. It reads the
 * result GraphiQL keeps for the tab, so it follows tab switches and never runs a query itself.
 */
import './analysts.css';

import { useGraphiQL, type GraphiQLPlugin } from '@graphiql/react';
import { useMemo, type SVGProps } from 'react';

import { RefundTable } from './refund-table.js';
import { findDaySummaries, findRefundLists, resultData } from './result-shapes.js';
import { SummaryChart } from './summary-chart.js';

export const ANALYSTS_PLUGIN_TITLE = 'Refund pictures';

function AnalystsPanel() {
  const response = useGraphiQL((state) => state.tabs[state.activeTabIndex]?.response ?? null);
  const { summaries, lists } = useMemo(() => {
    const data = resultData(response);
    return { summaries: findDaySummaries(data), lists: findRefundLists(data) };
  }, [response]);

  return (
    <section className="analysts-panel" aria-label={ANALYSTS_PLUGIN_TITLE}>
      <div className="graphiql-doc-explorer-title">{ANALYSTS_PLUGIN_TITLE}</div>
      {summaries.length === 0 && lists.length === 0 ? (
        <p className="analysts-note">
          Run an operation that returns refunds (a <code>nodes</code> or <code>refunds</code> list) or a{' '}
          <code>refundSummary</code> grouped by <code>DAY</code>, for example the saved tab “Refunds this week by day
          and currency”.
        </p>
      ) : null}
      {summaries.map((summary) => (
        <SummaryChart key={summary.path} summary={summary} />
      ))}
      {lists.map((list) => (
        <RefundTable key={list.path} list={list} />
      ))}
    </section>
  );
}

/** A small bar chart: the sidebar's icons are 1.5em line drawings in currentColor. */
function ChartIcon(props: SVGProps<SVGSVGElement>) {
  return (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.5} {...props}>
      <path d="M3 21h18M6 17v-5M11 17V7M16 17v-8M20 17V4" strokeLinecap="round" />
    </svg>
  );
}

export const ANALYSTS_PLUGIN: GraphiQLPlugin = {
  title: ANALYSTS_PLUGIN_TITLE,
  icon: ChartIcon,
  content: AnalystsPanel,
};
