/**
 * The response-validation boundary: a provider body is checked against the provider's documented
 * schema, and that it is the refund asked for, before it is mapped. Anything else becomes
 * PROVIDER_BAD_RESPONSE; the log gets the failing field paths, never the values.
 */
import type { z } from 'zod';
import { ProviderBadResponseError } from '../../domain/errors.js';
import type { ProviderIdentity, RefundModel } from '../../domain/refund.js';

/** Where a provider body departed from the documented schema: field paths only, never values. */
export class SchemaMismatchError extends Error {
  override readonly name = 'SchemaMismatchError';
  constructor(readonly fields: readonly string[]) {
    super(`schema mismatch at: ${fields.join(', ')}`);
  }
}

/**
 * A field path fit for the log. Paths can hold provider-chosen keys (metadata), so anything but
 * plain identifier characters is replaced and the length is bounded.
 */
function fieldPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((segment) =>
      String(segment)
        .replace(/[^A-Za-z0-9_-]/g, '?')
        .slice(0, 32),
    )
    .join('.')
    .slice(0, 100);
}

export function createBodyParser<S extends z.ZodType>(
  provider: ProviderIdentity,
  schema: S,
  map: (wire: z.infer<S>) => RefundModel,
): (requestedId: string | null) => (body: unknown) => RefundModel {
  return (requestedId) => (body) => {
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((issue) => fieldPath(issue.path)))].slice(0, 5);
      throw new ProviderBadResponseError(provider, 'the provider answered with a body that is not a refund', {
        cause: new SchemaMismatchError(fields),
      });
    }
    let model: RefundModel;
    try {
      model = map(parsed.data);
    } catch (error) {
      throw new ProviderBadResponseError(provider, 'the provider answered with a refund that cannot be represented', {
        cause: error,
      });
    }
    if (Number.isNaN(model.createdAt.getTime())) {
      throw new ProviderBadResponseError(
        provider,
        'the provider answered with a refund whose creation time is not a valid date',
      );
    }
    // null: a refund the provider just created, whose id nobody could ask for yet.
    if (requestedId !== null && model.providerRefundId !== requestedId) {
      throw new ProviderBadResponseError(
        provider,
        'the provider answered with a different refund than the one asked for',
      );
    }
    return model;
  };
}
