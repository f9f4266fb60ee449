/**
 * The one reading of a `Payment` entity representation, for `Payment.__resolveReference` and the
 * operation-limits plugin: `{ id }` (global or bare) or `{ provider, providerPaymentId }`. Anything
 * else is an InvalidInputError (BAD_USER_INPUT) naming what was received.
 */
import type { PaymentRef } from '../domain/payment.js';
import { InvalidInputError, quoteInput } from '../domain/errors.js';
import { parsePaymentId, parsePaymentKey } from '../providers/ids.js';

export function paymentRefFromRepresentation(representation: Readonly<Record<string, unknown>>): PaymentRef {
  if ('id' in representation) {
    const { id } = representation;
    if (typeof id !== 'string') {
      throw new InvalidInputError(`Invalid Payment key field id ${quoteInput(id)}: expected a string`);
    }
    return parsePaymentId(id);
  }
  if (!('provider' in representation) && !('providerPaymentId' in representation)) {
    throw new InvalidInputError(
      'A Payment representation needs a key: `id`, or `provider` with `providerPaymentId`; received neither',
    );
  }
  return parsePaymentKey(representation.provider, representation.providerPaymentId);
}
