/**
 * Finds what the analysts' panel can draw in a GraphQL result, by shape rather than by query:
 * lists of refunds (any `nodes` or `refunds` array, whatever the aliases above it) and summary
 * rows grouped by day (any array of `{ day, count }` objects). Pure: no DOM, no GraphiQL.
 */

/** Money as the contract writes it: an exact decimal string and its ISO 4217 code. */
export interface MoneyShape {
  readonly decimal: string;
  readonly currencyCode: string;
}

/** The refund fields the table knows how to show; each is absent when the query did not select it. */
export interface RefundRow {
  readonly id: string;
  readonly provider?: string;
  readonly status?: string;
  readonly providerStatus?: string;
  readonly amount?: MoneyShape | null;
  readonly createdAt?: string;
  readonly reason?: string | null;
  readonly paymentId?: string;
}

export interface RefundList {
  /** Where the list sits in the result, e.g. `refundSearch.nodes` (aliases as written). */
  readonly path: string;
  readonly refunds: readonly RefundRow[];
  /** Null entries of the list (e.g. `refunds(ids:)` for an id that was not found). */
  readonly missing: number;
}

export interface SummaryRow {
  readonly day: string;
  readonly count: number;
  readonly amount: MoneyShape | null;
  readonly currencyCode: string | null;
  readonly status: string | null;
  readonly provider: string | null;
  readonly reason: string | null;
}

export interface DaySummary {
  /** Where the rows sit in the result, e.g. `refundSummary`. */
  readonly path: string;
  readonly rows: readonly SummaryRow[];
}

const REFUND_LIST_KEYS = new Set(['nodes', 'refunds']);
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The `data` of a response as GraphiQL shows it (JSON text); undefined when there is none. */
export function resultData(responseText: string | null | undefined): unknown {
  if (!responseText) return undefined;
  try {
    const parsed: unknown = JSON.parse(responseText);
    return isRecord(parsed) ? parsed.data : undefined;
  } catch {
    // GraphiQL shows network failures as plain text in the same place: nothing to draw.
    return undefined;
  }
}

/**
 * Every `nodes` or `refunds` array whose entries are refund-shaped (an `id` and a `status` or an
 * `amount`), in document order. An empty array under those keys is an empty list of refunds.
 */
export function findRefundLists(data: unknown): RefundList[] {
  const found: RefundList[] = [];
  walk(data, [], (key, value, path) => {
    if (!REFUND_LIST_KEYS.has(key) || !Array.isArray(value)) return false;
    const present = value.filter((entry) => entry !== null);
    if (!present.every(isRefundShaped)) return false;
    found.push({ path: path.join('.'), refunds: present.map(toRefundRow), missing: value.length - present.length });
    return true;
  });
  return found;
}

/** Every non-empty array of summary rows that carry a `day` (a summary grouped by DAY). */
export function findDaySummaries(data: unknown): DaySummary[] {
  const found: DaySummary[] = [];
  walk(data, [], (_key, value, path) => {
    if (!Array.isArray(value) || value.length === 0 || !value.every(isDayRow)) return false;
    found.push({ path: path.join('.'), rows: value.map(toSummaryRow) });
    return true;
  });
  return found;
}

/**
 * Visits every property below `value`; `visit` returns true when it consumed the property, and
 * the walk then does not descend into it.
 */
function walk(
  value: unknown,
  path: readonly string[],
  visit: (key: string, value: unknown, path: readonly string[]) => boolean,
): void {
  if (Array.isArray(value)) {
    value.forEach((entry, index) => walk(entry, [...path, String(index)], visit));
    return;
  }
  if (!isRecord(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const childPath = [...path, key];
    if (!visit(key, child, childPath)) walk(child, childPath, visit);
  }
}

function isRefundShaped(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && typeof value.id === 'string' && (typeof value.status === 'string' || 'amount' in value);
}

function isDayRow(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && typeof value.day === 'string' && DAY.test(value.day) && typeof value.count === 'number';
}

function toRefundRow(value: Record<string, unknown>): RefundRow {
  const payment = value.payment;
  return {
    id: value.id as string,
    ...optionalString(value, 'provider'),
    ...optionalString(value, 'status'),
    ...optionalString(value, 'providerStatus'),
    ...optionalString(value, 'createdAt'),
    ...('reason' in value ? { reason: stringOrNull(value.reason) } : {}),
    ...('amount' in value ? { amount: money(value.amount) } : {}),
    ...(isRecord(payment) && typeof payment.id === 'string' ? { paymentId: payment.id } : {}),
  };
}

function toSummaryRow(value: Record<string, unknown>): SummaryRow {
  return {
    day: value.day as string,
    count: value.count as number,
    amount: money(value.amount),
    currencyCode: stringOrNull(value.currencyCode),
    status: stringOrNull(value.status),
    provider: stringOrNull(value.provider),
    reason: stringOrNull(value.reason),
  };
}

function money(value: unknown): MoneyShape | null {
  if (!isRecord(value) || typeof value.decimal !== 'string' || typeof value.currencyCode !== 'string') return null;
  return { decimal: value.decimal, currencyCode: value.currencyCode };
}

function optionalString<K extends string>(value: Record<string, unknown>, key: K): Partial<Record<K, string>> {
  const field = value[key];
  return typeof field === 'string' ? ({ [key]: field } as Record<K, string>) : {};
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
