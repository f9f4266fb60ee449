import { bufferedBody } from './send-attempt.js';

/**
 * A provider response body as JSON, or `undefined` for a body that is empty, over the transport's
 * cap or not JSON; callers decide what that means. Every Response here comes from the attempt
 * sender, which has already buffered the body under its cap.
 */
export function readJsonBody(response: Response): unknown {
  const bytes = bufferedBody(response);
  if (!bytes || bytes.length === 0) return undefined;
  try {
    // JSON.parse allows surrounding whitespace; a blank body throws and is "no JSON body".
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
