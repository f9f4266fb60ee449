/**
 * Refund ids as clients send them <-> (provider, provider refund id). Every id is checked against
 * its provider's allowlist on the raw input before anything else happens to it; only ids that
 * pass ever reach a loader key or a URL.
 */
import { InvalidInputError, ProviderNotConfiguredError, quoteInput } from '../domain/errors.js';
import type { PaymentRef } from '../domain/payment.js';
import type { RefundProviderName } from '../domain/refund.js';
import type { ProviderDefinition } from './definition.js';
import { PROVIDERS } from './registry.js';

/** A validated, canonical reference to one refund. */
export interface RefundRef {
  readonly provider: RefundProviderName;
  readonly providerRefundId: string;
}

const byName = new Map<string, ProviderDefinition>(PROVIDERS.map((definition) => [definition.name, definition]));
const byPrefix = new Map<string, ProviderDefinition>(
  PROVIDERS.map((definition) => [definition.globalIdPrefix, definition]),
);

const ACCEPTED_FORMS = PROVIDERS.map((d) => `"${d.globalIdPrefix}:<id>"`).join(', ');
const BARE_FORMS = PROVIDERS.map((d) => `${d.idFormat} (${d.name})`).join(' or ');
const PAYMENT_FORMS = PROVIDERS.map((d) => `"${d.globalIdPrefix}:<payment id>"`).join(', ');
const BARE_PAYMENT_FORMS = PROVIDERS.map((d) => `${d.payments.idFormat} (${d.name})`).join(' or ');

export function providerDefinition(provider: RefundProviderName): ProviderDefinition {
  const definition = byName.get(provider);
  if (!definition) throw new Error(`No provider is registered as ${provider}`);
  return definition;
}

/**
 * The error for a registered provider this deployment has no credentials for (its port is null in
 * ProviderClients): PROVIDER_NOT_CONFIGURED, for reads and creations alike.
 */
export function providerNotConfigured(provider: RefundProviderName): ProviderNotConfiguredError {
  return new ProviderNotConfiguredError(
    providerDefinition(provider),
    'no credentials are configured for this provider',
  );
}

/** The global id of a refund: `<provider prefix>:<provider refund id>`. */
export function toGlobalId(ref: RefundRef): string {
  return `${providerDefinition(ref.provider).globalIdPrefix}:${ref.providerRefundId}`;
}

/**
 * Parses a global id or a bare provider id whose format names its provider.
 * Throws InvalidInputError (BAD_USER_INPUT) naming the input when it is neither.
 */
export function parseRefundId(input: string): RefundRef {
  const separator = input.indexOf(':');
  if (separator >= 0) {
    const definition = byPrefix.get(input.slice(0, separator));
    if (!definition) {
      throw new InvalidInputError(
        `Invalid refund id ${quoteInput(input)}: a global id starts with one of ${ACCEPTED_FORMS}`,
      );
    }
    return checkProviderId(definition, input.slice(separator + 1), input);
  }
  const matches = PROVIDERS.filter((definition) => definition.idPattern.test(input));
  if (matches.length !== 1) {
    throw new InvalidInputError(
      `Invalid refund id ${quoteInput(input)}: expected a global id (${ACCEPTED_FORMS}) or a bare id, ${BARE_FORMS}`,
    );
  }
  return checkProviderId(matches[0]!, input, input);
}

/** Validates the `provider providerRefundId` entity key shape. */
export function parseRefundKey(provider: unknown, providerRefundId: unknown): RefundRef {
  const definition = typeof provider === 'string' ? byName.get(provider) : undefined;
  if (!definition) {
    throw new InvalidInputError(
      `Invalid provider ${quoteInput(provider)}: expected one of ${PROVIDERS.map((d) => d.name).join(', ')}`,
    );
  }
  if (typeof providerRefundId !== 'string') {
    throw new InvalidInputError(`Invalid providerRefundId ${quoteInput(providerRefundId)}: expected a string`);
  }
  return checkProviderId(definition, providerRefundId, providerRefundId);
}

function checkProviderId(definition: ProviderDefinition, providerRefundId: string, input: string): RefundRef {
  if (!definition.idPattern.test(providerRefundId)) {
    throw new InvalidInputError(
      `Invalid refund id ${quoteInput(input)}: expected ${definition.idFormat} for ${definition.name}`,
    );
  }
  return { provider: definition.name, providerRefundId: definition.canonicalId(providerRefundId) };
}

/** The global id of a payment: `<provider prefix>:<provider payment id>`. */
export function toGlobalPaymentId(ref: PaymentRef): string {
  return `${providerDefinition(ref.provider).globalIdPrefix}:${ref.providerPaymentId}`;
}

/**
 * Parses a global payment id (`<provider prefix>:<payment id>`) or a bare provider
 * payment id whose format names its provider, checked against each provider's `payments.idPattern`
 * and answered in canonical form. Throws InvalidInputError (BAD_USER_INPUT) naming the input when
 * it is neither, before anything else happens to it.
 */
export function parsePaymentId(input: string): PaymentRef {
  const separator = input.indexOf(':');
  if (separator >= 0) {
    const definition = byPrefix.get(input.slice(0, separator));
    if (!definition) {
      throw new InvalidInputError(
        `Invalid payment id ${quoteInput(input)}: a global id starts with one of ${PAYMENT_FORMS}`,
      );
    }
    return checkPaymentId(definition, input.slice(separator + 1), input);
  }
  const matches = PROVIDERS.filter((definition) => definition.payments.idPattern.test(input));
  if (matches.length !== 1) {
    throw new InvalidInputError(
      `Invalid payment id ${quoteInput(input)}: expected a global id (${PAYMENT_FORMS}) or a bare id, ${BARE_PAYMENT_FORMS}`,
    );
  }
  return checkPaymentId(matches[0]!, input, input);
}

/** Validates the `provider providerPaymentId` entity key shape of a Payment. */
export function parsePaymentKey(provider: unknown, providerPaymentId: unknown): PaymentRef {
  const definition = typeof provider === 'string' ? byName.get(provider) : undefined;
  if (!definition) {
    throw new InvalidInputError(
      `Invalid provider ${quoteInput(provider)}: expected one of ${PROVIDERS.map((d) => d.name).join(', ')}`,
    );
  }
  if (typeof providerPaymentId !== 'string') {
    throw new InvalidInputError(`Invalid providerPaymentId ${quoteInput(providerPaymentId)}: expected a string`);
  }
  return checkPaymentId(definition, providerPaymentId, providerPaymentId);
}

function checkPaymentId(definition: ProviderDefinition, providerPaymentId: string, input: string): PaymentRef {
  if (!definition.payments.idPattern.test(providerPaymentId)) {
    throw new InvalidInputError(
      `Invalid payment id ${quoteInput(input)}: expected ${definition.payments.idFormat} for ${definition.name}`,
    );
  }
  return { provider: definition.name, providerPaymentId: definition.payments.canonicalId(providerPaymentId) };
}
