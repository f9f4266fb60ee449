/**
 * A validation rule graphql 16 lacks (graphql 17 has it): an operation whose type the schema does
 * not have (e.g. `subscription`, or `mutation` while there is no Mutation type) is a client error,
 * GRAPHQL_VALIDATION_FAILED with HTTP 400. Without it, execution throws a plain error that Apollo
 * treats as internal: INTERNAL_SERVER_ERROR, an error-level log line and the internal-error metric.
 */
import { GraphQLError, type ValidationRule } from 'graphql';

export const KnownOperationTypesRule: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (context.getSchema().getRootType(node.operation)) return;
    context.reportError(
      new GraphQLError(
        `The ${node.operation} operation is not supported by the schema: this subgraph has no ${node.operation} type`,
        { nodes: node },
      ),
    );
  },
});
