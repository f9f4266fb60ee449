/**
 * The saved operations analysts see as GraphiQL tabs on their first visit (GraphiQL keeps
 * their own tabs in localStorage after that). Each tab's title is its operation name.
 * Every id below must exist in the sandbox seed so each tab runs as it is.
 */

// TODO(lead): replace with real sandbox seed ids in these currencies. The placeholders have
// the right shape but exist nowhere, so the "MoneyInSeveralCurrencies" tab errors until then.
/** A refund in JPY: zero-decimal currency, minorUnits equal whole yen. */
const JPY_REFUND = 'wooshpay:re_TODOleadJPY00000000000000';
/** A refund in KWD: three-decimal currency, 1.000 KWD is 1000 minorUnits. */
const KWD_REFUND = 'efundpay:00000000-0000-4000-8000-00000000a0d1';
/** A refund in USD: two-decimal currency. */
const USD_REFUND = 'wooshpay:re_TODOleadUSD00000000000000';
/** A refund in EUR: two-decimal currency. */
const EUR_REFUND = 'efundpay:00000000-0000-4000-8000-0000000e0e01';

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
query FailedRefunds {
  refunds(ids: [
    "${WOOSHPAY_REFUND}"
    "${WOOSHPAY_REFUND_2}"
    "${EFUNDPAY_REFUND}"
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

/** One saved operation: GraphiQL names the tab after the operation in `query`. */
export interface ExampleTab {
  query: string;
  headers: string;
}

export const EXAMPLE_TABS: readonly ExampleTab[] = [
  DEFAULT_QUERY,
  ONE_REFUND,
  MANY_REFUNDS,
  FAILED_REFUNDS,
  MONEY_IN_SEVERAL_CURRENCIES,
].map((query) => ({ query, headers: DEFAULT_HEADERS }));
