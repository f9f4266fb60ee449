/**
 * efundpay's wire format (API v4, a Gr4vy copy), with the provider's own field names
 * (see docs/providers/efundpay.md). Responses are parsed through these schemas before mapping:
 * unknown fields are tolerated, unknown status values stay strings, wrong types fail.
 */
import { z } from 'zod';

export const efundpayRefundSchema = z.looseObject({
  type: z.literal('refund'),
  id: z.string().min(1),
  transaction_id: z.string().min(1),
  status: z.string().min(1),
  currency: z.string().regex(/^[A-Za-z]{3}$/),
  amount: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  reason: z.string().nullish(),
  external_identifier: z.string().nullish(),
  transaction_external_identifier: z.string().nullish(),
  created_at: z.iso.datetime({ offset: true }),
});

export type EfundpayRefundWire = z.infer<typeof efundpayRefundSchema>;

/** Gr4vy's flat error shape; the real one is unconfirmed, so every field is optional. */
export const efundpayErrorSchema = z.looseObject({
  type: z.literal('error').optional(),
  code: z.string().optional(),
  status: z.number().optional(),
  message: z.string().optional(),
  details: z.array(z.unknown()).optional(),
});
