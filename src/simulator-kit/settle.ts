/**
 * How long a refund created at a simulator stays pending before it reads as settled, unless the
 * simulator is told otherwise (the sandbox's SANDBOX_SETTLE_MS defaults to it too).
 */
export const DEFAULT_SETTLE_MS = 3000;
