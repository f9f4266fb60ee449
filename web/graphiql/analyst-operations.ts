/**
 * The analysts' saved tabs: a payment's refunds, this week's refunds per day and currency, and
 * pending refunds older than a day. Their results are what the "Refund pictures" panel
 * (plugin.tsx) draws.
 *
 * "This week" and "older than a day" are relative to now, so their variables are computed when
 * the page builds its first tabs (`analystTabs(now)`), not written into the query: the saved
 * text stays a plain query with variables, which an analyst can edit or copy as it is. GraphiQL
 * keeps tabs in localStorage, so a tab kept from an earlier visit keeps that visit's dates; the
 * comment at the top of each tab says so.
 */

/**
 * A sandbox payment with several refunds: the sandbox makes three on this WooshPay payment when it
 * starts (src/providers/wooshpay/index.ts, sandboxStart). WooshPay has no list endpoint, so its
 * `refundsComplete` is false.
 */
export const PAYMENT_WITH_REFUNDS = 'wooshpay:pi_1787730900000000002';

const DAY_MS = 86_400_000;

const REFUND_NODE_FIELDS = `id
      provider
      status
      createdAt
      reason
      amount { decimal currencyCode }`;

export const REFUNDS_OF_A_PAYMENT = `# Refunds of a payment: every refund of one payment,
# newest first, with what was refunded and what is on
# its way. "id" takes a global id (wooshpay:pi_…,
# efundpay:<transaction uuid>) or a bare provider id.
# refundsComplete is false for WooshPay: it has no list
# endpoint, so the list is what this service has seen.
# Open "Refund pictures" (the chart icon on the left)
# for the refunds as a sortable table.
query RefundsOfAPayment {
  payment(id: "${PAYMENT_WITH_REFUNDS}") {
    id
    provider
    providerPaymentId
    refundsComplete
    refundedAmount { decimal currencyCode }
    pendingRefundAmount { decimal currencyCode }
    refunds(first: 20) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
      ${REFUND_NODE_FIELDS}
      }
    }
  }
}
`;

export const REFUNDS_THIS_WEEK = `# Refunds this week by day and currency: counts and
# sums per UTC day and currency, and the refunds
# themselves. Open "Refund pictures" (the chart icon
# on the left) for a chart and a table.
# $from (in Variables below) is the start of the UTC
# day six days before this tab was first opened:
# seven days up to now. The sandbox's own refunds are
# from its start; its seeded ones are from 2024: to
# chart two weeks of those, set the variables to
# {"from": "2024-04-24T00:00:00.000Z",
#  "to": "2024-05-08T00:00:00.000Z"}
query RefundsThisWeekByDayAndCurrency($from: DateTime!, $to: DateTime) {
  refundSummary(
    filter: { createdFrom: $from, createdTo: $to }
    groupBy: [DAY, CURRENCY]
  ) {
    day
    currencyCode
    count
    amount { decimal currencyCode }
  }
  refundSearch(filter: { createdFrom: $from, createdTo: $to }, first: 100) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      ${REFUND_NODE_FIELDS}
    }
  }
}
`;

export const PENDING_OLDER_THAN_A_DAY = `# Pending refunds older than a day: refunds still on
# their way (or waiting for someone to act) that were
# created more than 24 hours before this tab was first
# opened ($before in Variables below), newest first.
# Pass pageInfo.endCursor as "after" for the next page.
query PendingRefundsOlderThanADay($before: DateTime!, $after: String) {
  refundSearch(
    filter: { status: [PENDING, REQUIRES_ACTION], createdTo: $before }
    first: 50
    after: $after
  ) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      ${REFUND_NODE_FIELDS}
      providerStatus
      payment { id }
    }
  }
}
`;

export interface AnalystTab {
  readonly query: string;
  readonly variables?: string;
}

/** The three tabs, with "this week" and "a day ago" computed from `now`. */
export function analystTabs(now: Date): AnalystTab[] {
  const startOfToday = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const weekStart = new Date(startOfToday - 6 * DAY_MS).toISOString();
  const dayAgo = new Date(now.getTime() - DAY_MS).toISOString();
  return [
    { query: REFUNDS_OF_A_PAYMENT },
    { query: REFUNDS_THIS_WEEK, variables: JSON.stringify({ from: weekStart }, null, 2) },
    { query: PENDING_OLDER_THAN_A_DAY, variables: JSON.stringify({ before: dayAgo }, null, 2) },
  ];
}
