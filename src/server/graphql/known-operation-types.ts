/**
 * An operation whose type the schema does not have (e.g. `mutation` while there is no Mutation
 * type) is a client error: GRAPHQL_VALIDATION_FAILED with HTTP 400, refused before execution; so is
 * a subscription sent over HTTP (BAD_REQUEST: subscriptions are served over WebSocket). Without this, graphql 16's execute throws a plain error that Apollo treats as
 * internal: INTERNAL_SERVER_ERROR, an error-level log line and the internal-error metric.
 * graphql 17 has this as a validation rule; it is a plugin here so that Apollo's own answer to a
 * non-query over GET (405, checked after validation) comes first.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, OperationTypeNode } from 'graphql';
import { SUBSCRIPTIONS_OVER_WEBSOCKET } from '../../resolvers/Subscription.js';
import type { RequestContext } from './context.js';

export function createKnownOperationTypesPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, schema }) {
          // Subscriptions are served over WebSocket (src/server/ws/). Over HTTP they are refused before
          // Apollo sees them (refuse-http-subscriptions.ts); this catches any that slip through.
          if (operation?.operation === OperationTypeNode.SUBSCRIPTION && schema.getSubscriptionType()) {
            throw new GraphQLError(SUBSCRIPTIONS_OVER_WEBSOCKET, {
              nodes: operation,
              extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
            });
          }
          if (!operation || schema.getRootType(operation.operation)) return;
          throw new GraphQLError(
            `The ${operation.operation} operation is not supported by the schema: this subgraph has no ${operation.operation} type`,
            { nodes: operation, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } } },
          );
        },
      };
    },
  };
}
