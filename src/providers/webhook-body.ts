/** Reading a verified webhook's body, the same for every provider. */
import type { z } from 'zod';

/** The body as JSON read through the provider's event schema; null when it is not one (`malformed_event`). */
export function parseWebhookBody<S extends z.ZodType>(rawBody: Buffer, schema: S): z.infer<S> | null {
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return null;
  }
  const parsed = schema.safeParse(body);
  return parsed.success ? parsed.data : null;
}
