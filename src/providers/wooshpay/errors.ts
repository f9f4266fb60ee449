/** Reading WooshPay's (Stripe's) error wrapper defensively: any body, any shape. */
import { wooshPayErrorSchema } from './wire.js';

/** WooshPay's own "no such refund": the error wrapper with code `resource_missing` (or no code). */
export function isWooshPayNotFoundBody(body: unknown): boolean {
  const parsed = wooshPayErrorSchema.safeParse(body);
  return parsed.success && (parsed.data.error.code === undefined || parsed.data.error.code === 'resource_missing');
}

/** `type/code` of a WooshPay error body, for the log. */
export function wooshPayErrorCode(body: unknown): string | undefined {
  const parsed = wooshPayErrorSchema.safeParse(body);
  if (!parsed.success) return undefined;
  return parsed.data.error.code ?? parsed.data.error.type;
}
