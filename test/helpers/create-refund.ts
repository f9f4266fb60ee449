import { DETAILS_FRAGMENTS } from './refund-details.js';

/** The `createRefund` operation the mutation tests send: both payload members, every details member. */
export const CREATE_REFUND = /* GraphQL */ `
  mutation CreateRefund($input: CreateRefundInput!) {
    createRefund(input: $input) {
      __typename
      ... on RefundCreated {
        replayed
        refund {
          id
          provider
          status
          amount {
            minorUnits
            currencyCode
          }
          details {
            __typename
            ${DETAILS_FRAGMENTS}
          }
        }
      }
      ... on RefundRejected {
        code
        message
        providerCode
      }
    }
  }
`;
