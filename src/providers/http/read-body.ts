import { bufferedBody } from './dispatcher-fetch.js';

/**
 * A provider response body as JSON, or `undefined` for a body that is empty, over the transport's
 * cap or not JSON; callers decide what that means. Every Response here comes from the dispatcher
 * transport, which has already buffered the body under its cap.
 */
export function readJsonBody(response: Response): unknown {
  const text = bufferedBody(response)?.toString('utf8');
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
