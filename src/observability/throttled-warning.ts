/**
 * A warning that is logged at most once per interval, however often it happens; the lines it held
 * back are counted in the next one. For failures that repeat on every request (the store down).
 */
import type { Logger } from 'pino';

export type ThrottledWarning = (fields: Record<string, unknown>) => void;

export function createThrottledWarning(
  logger: Logger,
  message: string,
  intervalMs: number,
  now: () => number = Date.now,
): ThrottledWarning {
  let lastAt = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  return (fields) => {
    const at = now();
    if (at - lastAt < intervalMs) {
      suppressed += 1;
      return;
    }
    lastAt = at;
    logger.warn({ ...fields, suppressedSinceLast: suppressed }, message);
    suppressed = 0;
  };
}
