/**
 * The saved operations analysts see as GraphiQL tabs on their first visit (GraphiQL keeps
 * their own tabs in localStorage after that). Each tab's title is its operation name.
 * Every id below must exist in the sandbox seed so each tab runs as it is.
 */

import { analystTabs } from './analyst-operations.js';

/** A refund in JPY: zero-decimal currency, 5000 minorUnits is ¥5,000. */
const JPY_REFUND = 'wooshpay:re_1787731200000000010';
/** A refund in KWD: three-decimal currency, 12345 minorUnits is 12.345 KWD. */
const KWD_REFUND = 'efundpay:55c2d4f1-2c72-4a0b-aaa7-deea19a3c31d';
/** A refund in USD: two-decimal currency, 2000 minorUnits is $20.00. */
const USD_REFUND = 'wooshpay:re_3KQu4U2eZvKYlo2C02Ndp8xy';
/** A refund in EUR: two-decimal currency, 1299 minorUnits is 12.99 EUR. */
const EUR_REFUND = 'efundpay:6a1d4e46-14ed-4fe1-a45f-eff4e025d211';

/** Refunds that did not go through, each failing in its own way. */
const FAILED_WOOSHPAY_REFUND = 'wooshpay:re_1787731200000000004'; // failed: lost_or_stolen_card
const FAILED_WOOSHPAY_REFUND_UNDOCUMENTED = 'wooshpay:re_1787731200000000007'; // failed: a reason WooshPay does not document
const FAILED_EFUNDPAY_REFUND = 'efundpay:cbe82b23-bacb-4cd7-8c02-99941e1a8087'; // failed
const DECLINED_EFUNDPAY_REFUND = 'efundpay:23c2d601-42a4-4b8e-88d3-fc22dfc1b480'; // declined by the processor

/** Sandbox ids known to exist in the seed. */
const WOOSHPAY_REFUND = 'wooshpay:re_3KQu4U2eZvKYlo2C02Ndp8xy';
const WOOSHPAY_REFUND_2 = 'wooshpay:re_1787731200000000001';
const EFUNDPAY_REFUND = 'efundpay:6a1d4e46-14ed-4fe1-a45f-eff4e025d211';

/**
 * Request headers every tab opens with. GraphiQL 5 parses this editor as JSONC, so the
 * comments are allowed and an object holding only comments sends no extra header.
 * Headers are not saved in localStorage (GraphiQL's default), so a pasted secret does not
 * outlive the browser tab.
 */
export const DEFAULT_HEADERS = `{
  // Through the router: nothing is needed here.
  // Straight to this subgraph: uncomment the
  // line below and paste the router secret.
  // "Router-Authorization": "<router secret>"
}`;

const REFUND_DETAILS_SELECTION = `details {
      __typename
      ... on WooshPayRefundDetails {
        paymentIntentId
        reason
        failureReason
        description
        receiptNumber
        metadata { key value }
      }
      ... on EfundpayRefundDetails {
        transactionId
        merchantAccountId
        externalIdentifier
        transactionExternalIdentifier
      }
    }`;

/** The operation GraphiQL opens with: one refund from each provider, both union members. */
export const DEFAULT_QUERY = `# One refund from each payment provider.
# Run it with the play button or Ctrl+Enter.
# "details" is a union: each provider's own
# fields come through its own fragment.
query TwoProviders {
  refunds(ids: [
    "${WOOSHPAY_REFUND_2}"
    "${EFUNDPAY_REFUND}"
  ]) {
    id
    provider
    providerRefundId
    status
    providerStatus
    reason
    createdAt
    amount { minorUnits currencyCode decimal }
    ${REFUND_DETAILS_SELECTION}
  }
}
`;

const ONE_REFUND = `# One refund by its global id: "<provider>:<the provider's own refund id>".
query OneRefund {
  refund(id: "${WOOSHPAY_REFUND}") {
    id
    provider
    providerRefundId
    status
    providerStatus
    reason
    createdAt
    amount { minorUnits currencyCode decimal }
    ${REFUND_DETAILS_SELECTION}
  }
}
`;

const MANY_REFUNDS = `# Many refunds in one request, across both providers.
query ManyRefunds {
  refunds(ids: [
    "${WOOSHPAY_REFUND}"
    "${WOOSHPAY_REFUND_2}"
    "${EFUNDPAY_REFUND}"
  ]) {
    id
    provider
    status
    createdAt
    amount { currencyCode decimal }
  }
}
`;

const FAILED_REFUNDS = `# Which of these refunds failed, and why?
# "status" means the same for every provider;
# "providerStatus" is the provider's own word.
# WooshPay explains a failure in failureReason;
# efundpay has no such field: read "reason" and
# "providerStatus".
# The first refund succeeded; the other four did not.
query FailedRefunds {
  refunds(ids: [
    "${WOOSHPAY_REFUND}"
    "${FAILED_WOOSHPAY_REFUND}"
    "${FAILED_WOOSHPAY_REFUND_UNDOCUMENTED}"
    "${FAILED_EFUNDPAY_REFUND}"
    "${DECLINED_EFUNDPAY_REFUND}"
  ]) {
    id
    status
    providerStatus
    reason
    details {
      __typename
      ... on WooshPayRefundDetails { failureReason description }
      ... on EfundpayRefundDetails { transactionId }
    }
  }
}
`;

const MONEY_IN_SEVERAL_CURRENCIES = `# Amounts in currencies with 0, 3 and 2 decimals.
# minorUnits is the integer amount in the smallest
# unit (yen, fils, cents); decimal is the same
# amount in major units, with the currency's own
# number of decimals.
query MoneyInSeveralCurrencies {
  refunds(ids: [
    "${JPY_REFUND}"
    "${KWD_REFUND}"
    "${USD_REFUND}"
    "${EUR_REFUND}"
  ]) {
    id
    amount { minorUnits currencyCode decimal }
  }
}
`;

/** A sandbox payment with money left to refund (WooshPay PaymentIntent, USD 100.00). */
const REFUNDABLE_PAYMENT = 'pi_1787730900000000001';

const CREATE_REFUND = `# Refund USD 15.00 of a sandbox payment.
# Run it twice: the second answer is the same refund
# with replayed: true, because the idempotencyKey is
# the same. Change the key for a new refund; change the
# amount but not the key and you get
# IDEMPOTENCY_KEY_REUSED. A refusal (try 999999) is a
# RefundRejected, not an error.
# Outside the sandbox this needs a JWT with the
# refunds:write scope (Authorization: Bearer …).
mutation CreateRefund {
  createRefund(input: {
    provider: WOOSHPAY
    paymentId: "${REFUNDABLE_PAYMENT}"
    amount: { minorUnits: 1500, currencyCode: "USD" }
    reason: REQUESTED_BY_CUSTOMER
    note: "Parcel arrived damaged"
    metadata: [{ key: "order_id", value: "A-2001" }]
    idempotencyKey: "graphiql-example-refund-0001"
  }) {
    __typename
    ... on RefundCreated {
      replayed
      refund { id status amount { currencyCode decimal } }
    }
    ... on RefundRejected { code message providerCode }
  }
}
`;

/** A sandbox refund that stays pending: watch it, or paste the id of one createRefund just made. */
const PENDING_REFUND = 'wooshpay:re_1787731200000000002';

/** Live status over WebSocket: the refund's current state, then every change until the tab stops it. */
const WATCH_A_REFUND = `# Watch a refund: its current state first, then each change of status or amount.
# Two-tab demo: run CreateRefund in another tab, paste the new refund's id into the
# variables below and run this; when the refund settles, SUCCEEDED arrives here.
subscription WatchARefund($id: ID!) {
  refundUpdated(id: $id) {
    id
    status
    providerStatus
    amount { currencyCode decimal }
  }
}
`;

/** One saved operation: GraphiQL names the tab after the operation in `query`. */
export interface ExampleTab {
  query: string;
  headers: string;
  variables?: string;
}

export const EXAMPLE_TABS: readonly ExampleTab[] = [
  ...[DEFAULT_QUERY, ONE_REFUND, MANY_REFUNDS, FAILED_REFUNDS, MONEY_IN_SEVERAL_CURRENCIES, CREATE_REFUND].map(
    (query) => ({ query }),
  ),
  { query: WATCH_A_REFUND, variables: JSON.stringify({ id: PENDING_REFUND }, null, 2) },
  // The analysts' tabs; "this week" is computed from the moment the page loads.
  ...analystTabs(new Date()),
].map((tab) => ({ ...tab, headers: DEFAULT_HEADERS }));
