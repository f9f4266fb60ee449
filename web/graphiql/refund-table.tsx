/**
 * One refund list of the last result as a table: a column per field the query selected, sorted
 * by clicking a column's header (again for the other direction). Rows start in the result's own
 * order (newest first for connections).
 */
import { useMemo, useState } from 'react';

import { sortRefunds, type RefundColumn, type SortOrder } from './refund-order.js';
import { statusClass, statusLabel } from './refund-status.js';
import type { RefundList, RefundRow } from './result-shapes.js';

const COLUMNS: ReadonlyArray<{ key: RefundColumn; title: string; numeric?: boolean }> = [
  { key: 'createdAt', title: 'Created (UTC)' },
  { key: 'status', title: 'Status' },
  { key: 'amount', title: 'Amount', numeric: true },
  { key: 'provider', title: 'Provider' },
  { key: 'reason', title: 'Reason' },
  { key: 'providerStatus', title: 'Provider status' },
  { key: 'paymentId', title: 'Payment' },
  { key: 'id', title: 'Refund id' },
];

export function RefundTable({ list }: { list: RefundList }) {
  const [order, setOrder] = useState<SortOrder | null>(null);
  const columns = useMemo(
    () => COLUMNS.filter((column) => list.refunds.some((row) => column.key in row)),
    [list.refunds],
  );
  const rows = useMemo(() => (order ? sortRefunds(list.refunds, order) : list.refunds), [list.refunds, order]);

  const toggle = (column: RefundColumn) =>
    setOrder((current) => ({
      column,
      direction: current?.column === column && current.direction === 'ascending' ? 'descending' : 'ascending',
    }));

  return (
    <div className="analysts-scroll">
      <table className="analysts-table" data-path={list.path}>
        <caption>
          <code>{list.path}</code>: {countText(list.refunds.length, 'refund')}
          {list.missing > 0 ? `, ${countText(list.missing, 'id')} not found` : ''}
        </caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th
                key={column.key}
                scope="col"
                aria-sort={order?.column === column.key ? order.direction : 'none'}
                className={column.numeric ? 'analysts-numeric' : undefined}
              >
                <button type="button" onClick={() => toggle(column.key)}>
                  {column.title}
                  <span aria-hidden="true" className="analysts-sort-mark">
                    {order?.column !== column.key ? '' : order.direction === 'ascending' ? ' ▲' : ' ▼'}
                  </span>
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={Math.max(columns.length, 1)}>No refunds.</td>
            </tr>
          ) : (
            rows.map((row, index) => (
              <tr key={`${row.id}-${index}`}>
                {columns.map((column) => (
                  <td key={column.key} className={column.numeric ? 'analysts-numeric' : undefined}>
                    <Cell row={row} column={column.key} />
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

function Cell({ row, column }: { row: RefundRow; column: RefundColumn }) {
  switch (column) {
    case 'status':
      return row.status === undefined ? null : (
        <span className={statusClass(row.status)}>{statusLabel(row.status)}</span>
      );
    case 'amount':
      return row.amount ? (
        <>
          {row.amount.decimal} <abbr className="analysts-currency">{row.amount.currencyCode}</abbr>
        </>
      ) : null;
    case 'createdAt':
      return row.createdAt === undefined ? null : <time dateTime={row.createdAt}>{formatUtc(row.createdAt)}</time>;
    default:
      return <>{row[column] ?? ''}</>;
  }
}

/** `2024-04-25T07:31:14.000Z` -> `2024-04-25 07:31:14`: UTC, as the summary's days are. */
function formatUtc(instant: string): string {
  const time = Date.parse(instant);
  return Number.isNaN(time) ? instant : new Date(time).toISOString().slice(0, 19).replace('T', ' ');
}

function countText(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
