/**
 * How the HTTP core refers to a provider. `ProviderRef` is opaque here: it is only handed on to
 * the domain error constructors. Log lines, call records and metrics use `providerName(ref)`.
 */
import type { ProviderIdentity, RefundProviderName } from '../../domain/refund.js';

export type ProviderRef = ProviderIdentity;

export const providerName = (provider: ProviderRef): RefundProviderName => provider.name;
