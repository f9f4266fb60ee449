/** A refund made by createRefund enters the refund cache and carries retrievedAt and stale. */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useStack } from '../helpers/stack.js';

const MUTATION = /* GraphQL */ `
  mutation ($input: CreateRefundInput!) {
    createRefund(input: $input) {
      __typename
      ... on RefundCreated {
        refund {
          id
          providerRefundId
          status
          retrievedAt
          stale
        }
      }
    }
  }
`;

describe('createRefund and the refund cache', () => {
  const stack = useStack({ env: { CACHE_ENABLED: 'true' } });

  it('answers with retrievedAt and stale: false, and the next read of the refund costs no provider call', async () => {
    const created = await stack.graphql<{
      createRefund: {
        refund: { id: string; providerRefundId: string; status: string; retrievedAt: string; stale: boolean };
      };
    }>(MUTATION, {
      input: {
        provider: 'WOOSHPAY',
        paymentId: 'pi_1787730900000000001',
        amount: { minorUnits: 300, currencyCode: 'USD' },
        reason: 'REQUESTED_BY_CUSTOMER',
        idempotencyKey: `cache-${randomUUID()}`,
      },
    });
    expect(created.body.errors).toBeUndefined();
    const refund = created.body.data!.createRefund.refund;
    expect(refund.stale).toBe(false);
    expect(Number.isNaN(Date.parse(refund.retrievedAt))).toBe(false);
    const before = stack.simulators.wooshpay.requestCount(refund.providerRefundId);
    const read = await stack.graphql<{ refund: { id: string; status: string } }>(
      `query ($id: ID!) { refund(id: $id) { id status } }`,
      { id: refund.id },
    );
    expect(read.body.data!.refund).toEqual({ id: refund.id, status: refund.status });
    expect(stack.simulators.wooshpay.requestCount(refund.providerRefundId)).toBe(before);
  });
});
