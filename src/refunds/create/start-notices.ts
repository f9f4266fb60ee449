/** What the start log says about refund creation: who may refund, and where its records live. */
import type { RefundAuthorizer } from '../../auth/refund-authorizer.js';

export interface StartNotice {
  readonly level: 'info' | 'warn';
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

export function refundCreationNotices(
  authorizer: RefundAuthorizer,
  options: { readonly isProduction: boolean; readonly redisUrl: string | null },
): StartNotice[] {
  const notices: StartNotice[] = [];
  const fields = { refundCreation: authorizer.mode };
  if (authorizer.mode === 'open') {
    notices.push({
      level: 'warn',
      fields,
      message:
        'createRefund is open to anyone (no AUTH_JWKS_URL outside production): fine for the sandbox, never for real money',
    });
  } else if (authorizer.mode === 'disabled') {
    notices.push({
      level: 'warn',
      fields,
      message: 'createRefund is disabled: set AUTH_JWKS_URL (with AUTH_ISSUER and AUTH_AUDIENCE) to verify callers',
    });
  } else {
    notices.push({ level: 'info', fields, message: 'createRefund needs a JWT with the refunds:write scope' });
  }
  if (options.isProduction && options.redisUrl === null) {
    notices.push({
      level: 'warn',
      fields: { idempotencyStore: 'memory' },
      message:
        'Idempotency records are in memory (REDIS_URL is unset): with more than one replica, set REDIS_URL so a refund is made at most once across replicas',
    });
  }
  return notices;
}
