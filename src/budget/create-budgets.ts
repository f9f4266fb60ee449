/** The provider budgets a deployment configured (`<PROVIDER>_MAX_REQUESTS_PER_S`), shared through REDIS_URL. */
import type { Logger } from 'pino';
import type { RefundProviderName } from '../domain/refund.js';
import type { ProviderSettings } from '../providers/definition.js';
import { createProviderBudgets, type ProviderBudgets } from './provider-budget.js';

/** The settings this needs (AppConfig's `providers` and `redis`; see src/config.ts). */
export interface BudgetConfig {
  readonly providers: Readonly<Record<RefundProviderName, ProviderSettings>>;
  readonly redis: { readonly url: string | null };
}

export function createBudgetsFromConfig(
  config: BudgetConfig,
  logger: Logger,
  metrics?: { budgetWait(provider: RefundProviderName): void },
): Promise<ProviderBudgets> {
  const perSecond = new Map<RefundProviderName, number>();
  for (const [provider, settings] of Object.entries(config.providers) as Array<
    [RefundProviderName, ProviderSettings]
  >) {
    if (settings.configured && settings.maxRequestsPerSecond !== null) {
      perSecond.set(provider, settings.maxRequestsPerSecond);
    }
  }
  return createProviderBudgets({
    perSecond,
    redisUrl: config.redis.url,
    logger,
    ...(metrics ? { onWait: (provider) => metrics.budgetWait(provider) } : {}),
  });
}
