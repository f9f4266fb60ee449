/**
 * The names an idempotency key is known by. The record is scoped by (provider, account, caller,
 * key), so two callers, or two deployments with other credentials, never share one; the provider
 * gets a key derived from the same scope, so a repeat reaches the provider with the same key even
 * when our record is gone. Nothing here reveals the caller's key: everything is a hash of it.
 */
import { createHash } from 'node:crypto';
import type { CreateRefundCommand } from '../../domain/refund-creation.js';
import type { RefundProviderName } from '../../domain/refund.js';

export interface IdempotencyScope {
  readonly provider: RefundProviderName;
  /** The provider port's `account`: a non-secret fingerprint of the credentials. */
  readonly account: string;
  /** Who is calling (the JWT's issuer and subject; `anonymous` in the sandbox). */
  readonly caller: string;
  /** The caller's idempotency key, as sent. */
  readonly key: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The store key of the record. */
export function idempotencyRecordKey(scope: IdempotencyScope): string {
  return `idempotency:v1:${sha256(JSON.stringify([scope.provider, scope.account, scope.caller, scope.key]))}`;
}

/**
 * The key the provider sees (an Idempotency-Key, or a refund reference of at most 50 characters):
 * `rfd-` and 32 hex digits, stable for the scope.
 */
export function providerIdempotencyKey(scope: IdempotencyScope): string {
  return `rfd-${sha256(JSON.stringify(['provider-key', scope.provider, scope.account, scope.caller, scope.key])).slice(0, 32)}`;
}

/** A hash of the caller's key, for the audit log (never the key itself). */
export function idempotencyKeyHash(key: string): string {
  return sha256(key).slice(0, 16);
}

/** A fingerprint of the normalised input: equal for the same refund however it was written. */
export function inputFingerprint(command: CreateRefundCommand): string {
  return sha256(
    JSON.stringify([
      command.provider,
      command.paymentId,
      command.amount === null ? null : [command.amount.minorUnits, command.amount.currencyCode],
      command.reason,
      command.note,
      command.metadata.map((entry) => [entry.key, entry.value]),
    ]),
  );
}
