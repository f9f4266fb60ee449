/**
 * Per-operation plugins: one structured log line and metrics for every GraphQL operation, and the
 * analysts' debug view (`x-refunds-debug: 1` outside production), which lists the provider calls
 * the operation made in the response's `extensions.providerCalls` and the refunds the refund cache
 * answered in `extensions.cacheHits`.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { getOperationAST } from 'graphql';
import { escapeForDisplay } from '../../domain/errors.js';
import type { RequestContext } from './context.js';
import type { Metrics } from '../../observability/metrics.js';

export function createOperationLogPlugin(metrics: Metrics): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ response, contextValue, operationName, operation, document, request }) {
          const durationMs = Math.round((performance.now() - started) * 10) / 10;
          const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const errorCodes = (result?.errors ?? []).map((error) => {
            const code = error.extensions?.code;
            return typeof code === 'string' ? code : 'UNKNOWN';
          });
          for (const code of errorCodes) metrics.observeError(code);
          const hasData = result?.data !== undefined && result.data !== null;
          const outcome = errorCodes.length === 0 ? 'success' : hasData ? 'partial' : 'error';
          // Apollo names the operation only once the document validates; an operation that fails
          // validation is still logged under the name it was sent with.
          const sent = operation ?? (document ? getOperationAST(document, request.operationName) : null) ?? undefined;
          const sentName = operationName ?? sent?.name?.value ?? request.operationName;
          // The name as sent is client input: shown with bidi and invisible characters escaped.
          const name = sentName === undefined || sentName === null ? null : escapeForDisplay(sentName);
          const operationType = sent?.operation ?? 'unknown';
          metrics.observeOperation(operationType, outcome, durationMs);
          const fields = {
            operationName: name,
            operationType,
            durationMs,
            refundsRequested: contextValue.stats.refundsRequested,
            providerCalls: contextValue.providerCalls.length,
            refundsFromCache: contextValue.cacheReads.length,
            errorCodes: [...new Set(errorCodes)],
            outcome,
          };
          contextValue.logged.fields = fields;
          contextValue.logger.info(fields, 'graphql operation');
        },
      };
    },
  };
}

export function createDebugPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart({ contextValue }) {
      if (!contextValue.debug) return;
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = {
            ...result.extensions,
            providerCalls: contextValue.providerCalls.map((call) => ({ ...call })),
            cacheHits: contextValue.cacheReads.map((read) => ({ ...read })),
          };
        },
      };
    },
  };
}
