/**
 * The provider-neutral refund model. Provider mappers produce it; resolvers read it (codegen maps
 * the GraphQL types onto these interfaces). Nothing here knows about HTTP, GraphQL or any one
 * provider: the enums are the schema's own (generated), and each provider's details model lives in
 * its provider folder.
 */
import type { RefundProvider, RefundStatus } from '../__generated__/schema-types.js';
import type { Money } from './money.js';

/** A registered provider's name: a value of the GraphQL `RefundProvider` enum. */
export type RefundProviderName = RefundProvider;
export type { RefundStatus };

/** Who a provider is, for messages: its enum value and the label people know it by. */
export interface ProviderIdentity {
  readonly name: RefundProviderName;
  /** As the provider writes its own name, for messages people read. */
  readonly label: string;
}

export interface RefundModel {
  /** Global id, `<provider prefix>:<provider refund id>`. */
  readonly id: string;
  readonly provider: RefundProviderName;
  readonly providerRefundId: string;
  /** The provider's own id of the payment the refund belongs to; null when the provider does not say. */
  readonly paymentId: string | null;
  readonly status: RefundStatus;
  /** The provider's raw status, kept verbatim so UNKNOWN is never a dead end. */
  readonly providerStatus: string;
  readonly reason: string | null;
  readonly createdAt: Date;
  readonly amount: Money;
  readonly details: RefundDetailsModel;
}

/**
 * A provider's own fields. Each provider folder defines its model; `kind` is the GraphQL type name
 * of its `RefundDetails` union member.
 */
export interface RefundDetailsModel {
  readonly kind: string;
}

export interface MetadataEntry {
  readonly key: string;
  readonly value: string;
}

/**
 * Maps a provider's raw value through a provider's table onto one of our enum values, `unknown` for
 * anything else: providers add values without notice and a new one must never fail a query.
 */
export function mapKnownValue<T extends string>(table: Readonly<Record<string, T>>, raw: string, unknown: T): T {
  return Object.hasOwn(table, raw) ? table[raw]! : unknown;
}
