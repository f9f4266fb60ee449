/**
 * WooshPay's wire format, with the provider's own field names (see docs/providers/wooshpay.md).
 * Every response body is parsed through these schemas before it is mapped: extra fields are
 * tolerated and kept out of the model, unknown enum values stay strings, wrong types fail.
 */
import { z } from 'zod';

export const wooshPayRefundSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('refund'),
  amount: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  // Unix seconds; bounded so the timestamp is a real date (up to 9999-12-31T23:59:59Z).
  created: z.number().int().nonnegative().max(253_402_300_799),
  currency: z.string().regex(/^[A-Za-z]{3}$/),
  metadata: z.record(z.string(), z.string()).nullish(),
  payment_intent: z.string().nullish(),
  reason: z.string().nullish(),
  status: z.string().min(1),
  description: z.string().nullish(),
  failure_reason: z.string().nullish(),
  receipt_number: z.string().nullish(),
});

export type WooshPayRefundWire = z.infer<typeof wooshPayRefundSchema>;

/** Stripe's error wrapper: `{"error":{"type","code","message","param"}}`. Parsed leniently. */
export const wooshPayErrorSchema = z.looseObject({
  error: z.looseObject({
    type: z.string().optional(),
    code: z.string().optional(),
    message: z.string().optional(),
    param: z.string().optional(),
  }),
});
