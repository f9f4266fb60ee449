/**
 * Deterministic WooshPay payments (PaymentIntents) the sandbox and the tests can refund. Ids are
 * stable: the README and tests cite them. `amountRefunded` is what earlier refunds already took
 * (the seeded refunds of the same payment intent). Each entry says what it demonstrates.
 */

export interface WooshPaySeedPayment {
  /** `pi_…` */
  readonly id: string;
  /** Captured amount, integer minor units. */
  readonly amount: number;
  /** Lower-case ISO 4217, as WooshPay writes it. */
  readonly currency: string;
  readonly amountRefunded: number;
  /**
   * Why WooshPay refuses any refund of it, as its error `code`; absent when refundable.
   * `card_declined` answers 402 card_error (the card network declined the refund).
   */
  readonly refusal?: 'payment_intent_unexpected_state' | 'charge_disputed' | 'card_declined';
}

export const wooshPaySeedPayments: readonly WooshPaySeedPayment[] = [
  // The docs' example payment intent: USD 50.00, of which the docs' example refund took 15.00.
  { id: 'pi_1787730829493927936', amount: 5000, currency: 'usd', amountRefunded: 1500 },
  // Fresh USD 100.00, nothing refunded yet: the one to try first.
  { id: 'pi_1787730900000000001', amount: 10000, currency: 'usd', amountRefunded: 0 },
  // Fresh EUR 80.00.
  { id: 'pi_1787730900000000002', amount: 8000, currency: 'eur', amountRefunded: 0 },
  // JPY 20000 (zero-decimal currency).
  { id: 'pi_1787730900000000003', amount: 20000, currency: 'jpy', amountRefunded: 0 },
  // USD 30.00 already refunded in full: charge_already_refunded.
  { id: 'pi_1787730900000000004', amount: 3000, currency: 'usd', amountRefunded: 3000 },
  // Not captured yet: payment_intent_unexpected_state.
  {
    id: 'pi_1787730900000000005',
    amount: 4000,
    currency: 'usd',
    amountRefunded: 0,
    refusal: 'payment_intent_unexpected_state',
  },
  // Under dispute: charge_disputed.
  { id: 'pi_1787730900000000006', amount: 6000, currency: 'gbp', amountRefunded: 0, refusal: 'charge_disputed' },
  // The card network declines refunds to this card: 402 card_error card_declined.
  { id: 'pi_1787730900000000007', amount: 2500, currency: 'usd', amountRefunded: 0, refusal: 'card_declined' },
];
