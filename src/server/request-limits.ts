/** The limits every GraphQL request is held to (AppConfig's `limits`), enforced by the transport. */
export interface RequestLimits {
  /** Ids one `refunds(ids:)` field may name. */
  readonly maxIdsPerField: number;
  /** Distinct refunds one operation may load (MAX_REFUNDS_PER_OPERATION). */
  readonly maxRefundsPerOperation: number;
  /** Representations one `_entities` call may carry (MAX_ENTITY_REPRESENTATIONS). */
  readonly maxEntityRepresentations: number;
  /** Largest HTTP request body, in bytes (MAX_BODY_BYTES). */
  readonly maxBodyBytes: number;
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxTokens: number;
  /** `Refund` objects one operation may resolve, repeated ids and aliases counted each time. */
  readonly maxRefundsResolvedPerOperation: number;
  /** Largest GraphQL document (source text, comments included), in UTF-8 bytes. */
  readonly maxDocumentBytes: number;
}
