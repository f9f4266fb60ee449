/**
 * The GraphQL error boundary. Domain errors become GraphQL errors with a stable
 * `extensions.code` (and `extensions.provider` for provider failures). Only the codes this
 * subgraph defines get through; anything else is masked as INTERNAL_SERVER_ERROR, tagged with
 * the request id, and its details go to the log instead.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import {
  INVALID_INPUT_CODE,
  InvalidInputError,
  PROVIDER_ERROR_CODES,
  ProviderError,
  REQUEST_REFUSED_CODES,
  RequestRefusedError,
  escapeForDisplay,
} from '../../domain/errors.js';
import type { RequestContext } from './context.js';

/** Codes a client may see. Anything else is an internal error and is masked. */
export const CLIENT_ERROR_CODES: ReadonlySet<string> = new Set([
  // Apollo's and graphql-js's own codes for a request that cannot run.
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  // The domain's.
  INVALID_INPUT_CODE,
  ...PROVIDER_ERROR_CODES,
  ...REQUEST_REFUSED_CODES,
]);

const MASKED_MESSAGE = 'Internal server error: quote the requestId when reporting it';

export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const base = {
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
  };
  const original = unwrapResolverError(error);
  if (original instanceof ProviderError) {
    return { message: original.message, ...base, extensions: { code: original.code, provider: original.provider } };
  }
  if (original instanceof InvalidInputError || original instanceof RequestRefusedError) {
    return { message: original.message, ...base, extensions: { code: original.code } };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && CLIENT_ERROR_CODES.has(code)) {
    // graphql's and Apollo's own messages quote client input (variable values, operation names)
    // as it came: bidi and invisible characters are shown as \uXXXX, as in our own messages.
    // Their own line breaks (Apollo's CSRF message has some) are kept.
    const message = formatted.message.split('\n').map(escapeForDisplay).join('\n');
    return { message, ...base, extensions: { code } };
  }
  return { message: MASKED_MESSAGE, ...base, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

/** Whether formatError will mask this error. */
function isMasked(error: unknown): boolean {
  const original = unwrapResolverError(error);
  if (
    original instanceof ProviderError ||
    original instanceof InvalidInputError ||
    original instanceof RequestRefusedError
  ) {
    return false;
  }
  const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
  return !(typeof code === 'string' && CLIENT_ERROR_CODES.has(code));
}

/** Logs the details of masked errors and tags them with the request id in the response. */
export function createErrorMaskingPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            if (!isMasked(error)) continue;
            const original = unwrapResolverError(error);
            contextValue.logger.error(
              { err: original instanceof Error ? original : new Error(String(original)), path: error.path },
              'Internal error in a GraphQL operation (masked for the client)',
            );
          }
        },
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors;
          if (!errors?.some((error) => error.extensions?.code === 'INTERNAL_SERVER_ERROR')) return;
          response.body.singleResult.errors = errors.map((error) =>
            error.extensions?.code === 'INTERNAL_SERVER_ERROR'
              ? { ...error, extensions: { ...error.extensions, requestId: contextValue.requestId } }
              : error,
          );
        },
      };
    },
  };
}
