/** Reading efundpay's (Gr4vy's) flat error body defensively: its real shape is unconfirmed. */
import { efundpayErrorSchema } from './wire.js';

/** efundpay's own "not found": a JSON error object (code `not_found`, or no code at all). */
export function isEfundpayNotFoundBody(body: unknown): boolean {
  const parsed = efundpayErrorSchema.safeParse(body);
  return parsed.success && (parsed.data.code === undefined || parsed.data.code === 'not_found');
}

/** The `code` of an efundpay error body, for the log. */
export function efundpayErrorCode(body: unknown): string | undefined {
  const parsed = efundpayErrorSchema.safeParse(body);
  return parsed.success ? parsed.data.code : undefined;
}
