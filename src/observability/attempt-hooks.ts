/** Puts several sets of provider attempt hooks (budget, tracing) together; none at all stays none. */
import type { ProviderAttemptHooks } from '../providers/http/types.js';

export function combineAttemptHooks(
  ...sets: ReadonlyArray<ProviderAttemptHooks | undefined>
): ProviderAttemptHooks | undefined {
  const present = sets.filter((hooks): hooks is ProviderAttemptHooks => hooks !== undefined);
  if (present.length <= 1) return present[0];
  const before = present.flatMap((hooks) => (hooks.beforeAttempt ? [hooks.beforeAttempt] : []));
  const start = present.flatMap((hooks) => (hooks.startAttempt ? [hooks.startAttempt] : []));
  return {
    async beforeAttempt(attempt, signal) {
      for (const hook of before) await hook(attempt, signal);
    },
    startAttempt(attempt, headers) {
      const ends = start.map((hook) => hook(attempt, headers));
      return (end) => {
        for (const finish of ends) finish?.(end);
      };
    },
  };
}
