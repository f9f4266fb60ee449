/**
 * The audit trail of refund creation: one info line per attempt, event `refund.create`, and a
 * counter by provider and outcome. It holds who (the JWT's `sub`), what (provider, payment, amount)
 * and how it ended (the created refund's id, the rejection code or the error code), with a hash of
 * the idempotency key. Never credentials, tokens, or the key itself.
 */
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { Money } from '../../domain/money.js';
import type { RefundProviderName } from '../../domain/refund.js';

export type AuditOutcome =
  | { readonly type: 'created'; readonly refundId: string }
  | { readonly type: 'rejected'; readonly code: string; readonly providerCode: string | null }
  | { readonly type: 'error'; readonly code: string };

export interface RefundCreateAttempt {
  readonly requestId: string;
  /** The JWT's `sub`, `anonymous` in the sandbox, null when authentication failed. */
  readonly actor: string | null;
  readonly provider: RefundProviderName;
  /** Null when the payment id was not valid (it is never logged then). */
  readonly paymentId: string | null;
  readonly amount: Money | null;
  readonly idempotencyKeyHash: string;
  readonly outcome: AuditOutcome;
  readonly replayed: boolean;
}

export interface RefundAudit {
  record(attempt: RefundCreateAttempt): void;
}

export function createRefundAudit(logger: Logger, registry: Registry): RefundAudit {
  const attempts = new Counter({
    name: 'refunds_create_total',
    help: 'createRefund attempts by provider, outcome (created, replayed, rejected, error) and code (rejection or error code; empty when created)',
    labelNames: ['provider', 'outcome', 'code'] as const,
    registers: [registry],
  });
  return {
    record(attempt) {
      const { outcome } = attempt;
      const label = outcome.type === 'created' && attempt.replayed ? 'replayed' : outcome.type;
      attempts.inc({
        provider: attempt.provider,
        outcome: label,
        code: outcome.type === 'created' ? '' : outcome.code,
      });
      logger.info(
        {
          event: 'refund.create',
          requestId: attempt.requestId,
          actor: attempt.actor,
          provider: attempt.provider,
          paymentId: attempt.paymentId,
          amount: attempt.amount,
          idempotencyKeyHash: attempt.idempotencyKeyHash,
          outcome,
          replayed: attempt.replayed,
        },
        'refund.create',
      );
    },
  };
}
