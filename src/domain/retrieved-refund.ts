/**
 * A refund as the subgraph serves it: the provider's model plus when it was read from the provider
 * and whether it is a last-known copy served because the provider could not be reached.
 */
import type { RefundModel } from './refund.js';

export interface RetrievedRefund extends RefundModel {
  /** When this refund's data was read from its provider. */
  readonly retrievedAt: Date;
  /** True when the provider failed and this is the last copy held (stale-if-error). */
  readonly stale: boolean;
  /** Until when this copy counts as fresh (retrievedAt + the freshness for its status); not in the schema. */
  readonly freshUntil: Date;
}
