/**
 * Live refund status (served over WebSocket only; src/server/ws/). Ids are validated before
 * anything is watched or read: a bad id fails that subscription alone with BAD_USER_INPUT.
 * `refundUpdated` reads the refund's current state through the read port (cache or provider) and
 * delivers it first; `paymentRefundsUpdated` starts with nothing. Neither ends on a final status.
 */
import type { SubscriptionResolvers } from '../__generated__/resolvers-types.js';
import { GraphQLError } from 'graphql';
import { InvalidInputError, quoteInput } from '../domain/errors.js';
import type { RefundModel } from '../domain/refund.js';
import { parsePaymentId, parseRefundId, providerDefinition } from '../providers/ids.js';
import type { LiveStatus, Subscriber } from '../refunds/live/live-status.js';
import type { RequestContext } from '../server/graphql/context.js';

/** Why a subscription is refused anywhere but over WebSocket. */
export const SUBSCRIPTIONS_OVER_WEBSOCKET =
  'Subscriptions are served over WebSocket (the graphql-transport-ws protocol) at /graphql, not over HTTP';

export const Subscription: SubscriptionResolvers = {
  refundUpdated: {
    subscribe: async (_parent, { id }, context) => {
      const ref = parseRefundId(id);
      const { live, subscriber } = liveOf(context, 'refundUpdated');
      // Listening starts before the read, so a change between the two is not missed.
      const watch = live.watchRefund(ref, subscriber);
      try {
        const current = await live.current(ref, context.requestId);
        if (current === null) {
          throw new InvalidInputError(
            `No refund ${quoteInput(id)}: ${providerDefinition(ref.provider).label} has none with this id`,
          );
        }
        watch.start(current);
      } catch (error) {
        await watch.return?.();
        throw error;
      }
      return watch;
    },
    resolve: (refund: RefundModel) => refund as never,
  },
  paymentRefundsUpdated: {
    subscribe: (_parent, { paymentId }, context) => {
      const payment = parsePaymentId(paymentId);
      const { live, subscriber } = liveOf(context, 'paymentRefundsUpdated');
      return live.watchPayment(payment, subscriber);
    },
    resolve: (refund: RefundModel) => refund as never,
  },
};

function liveOf(context: RequestContext, field: Subscriber['field']): { live: LiveStatus; subscriber: Subscriber } {
  if (context.live === null || context.subscription === null) {
    throw new GraphQLError(SUBSCRIPTIONS_OVER_WEBSOCKET, { extensions: { code: 'BAD_REQUEST' } });
  }
  return { live: context.live, subscriber: { field, onOverflow: context.subscription.onSlowConsumer } };
}
