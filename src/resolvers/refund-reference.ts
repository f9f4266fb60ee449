/**
 * The one reading of a `Refund` entity representation: used by the operation-limits plugin (to
 * count and refuse before execution) and by `Refund.__resolveReference` (to load), so the two can
 * never disagree. Key fields must be strings and `provider` a `RefundProvider` value; anything
 * else is an InvalidInputError (BAD_USER_INPUT) naming the field and what was received.
 */
import { InvalidInputError, quoteInput } from '../domain/errors.js';
import { parseRefundId, parseRefundKey, type RefundRef } from '../providers/ids.js';

export function refundRefFromRepresentation(representation: Readonly<Record<string, unknown>>): RefundRef {
  if ('id' in representation) {
    const { id } = representation;
    if (typeof id !== 'string') {
      throw new InvalidInputError(`Invalid Refund key field id ${quoteInput(id)}: expected a string`);
    }
    return parseRefundId(id);
  }
  if (!('provider' in representation) && !('providerRefundId' in representation)) {
    throw new InvalidInputError(
      'A Refund representation needs a key: `id`, or `provider` with `providerRefundId`; received neither',
    );
  }
  return parseRefundKey(representation.provider, representation.providerRefundId);
}
