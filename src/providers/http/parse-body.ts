/**
 * The response-validation boundary: a provider body is checked against the provider's documented
 * schema, and that it is the refund asked for, before it is mapped. Anything else becomes
 * PROVIDER_BAD_RESPONSE; the log gets the failing field paths, never the values.
 */
import type { z } from 'zod';
import { ProviderBadResponseError } from '../../domain/errors.js';
import type { RefundModel, RefundProviderName } from '../../domain/refund.js';

export function createBodyParser<S extends z.ZodType>(
  provider: RefundProviderName,
  schema: S,
  map: (wire: z.infer<S>) => RefundModel,
): (requestedId: string) => (body: unknown) => RefundModel {
  return (requestedId) => (body) => {
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))].slice(0, 5);
      throw new ProviderBadResponseError(provider, 'the provider answered with a body that is not a refund', {
        cause: new Error(`schema mismatch at: ${fields.join(', ')}`),
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
      throw new ProviderBadResponseError(provider, 'the provider answered with a refund whose creation time is not a valid date');
    }
    if (model.providerRefundId !== requestedId) {
      throw new ProviderBadResponseError(provider, 'the provider answered with a different refund than the one asked for');
    }
    return model;
  };
}
