/** The `createRefund` operation the mutation tests send: both payload members, both details members. */
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
            ... on WooshPayRefundDetails {
              paymentIntentId
              reason
              description
              metadata {
                key
                value
              }
            }
            ... on EfundpayRefundDetails {
              transactionId
              externalIdentifier
            }
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
