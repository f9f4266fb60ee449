/**
 * Rejects an operation before it executes, and so before any provider call, when it asks for
 * too much: more ids in one `refunds` than allowed, more `_entities` representations than
 * allowed, or more distinct refunds in total (through aliases, fragments and entity
 * representations) than allowed. Ids that fail their allowlist are left to the resolvers, which
 * fail them one by one.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  getArgumentValues,
  getVariableValues,
  type FieldNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { AppConfig } from '../config.js';
import { InvalidInputError, quoteInput } from '../domain/errors.js';
import { parseRefundId, parseRefundKey, type RefundRef } from '../providers/ids.js';
import { refundCacheKey } from '../loaders/refund-loader.js';
import type { RequestContext } from './context.js';

type Limits = AppConfig['limits'];

export function createOperationLimitsPlugin(limits: Limits): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, schema }) {
          if (operation?.operation !== 'query') return;
          const queryType = schema.getQueryType();
          if (!queryType) return;
          const variables = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {});
          if (variables.errors) return; // execution reports them
          const fragments = new Map<string, FragmentDefinitionNode>();
          for (const definition of document.definitions) {
            if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
          }
          const refs = new Set<string>();
          visitRootFields(operation.selectionSet, fragments, new Set(), (field) => {
            const fieldDef = queryType.getFields()[field.name.value];
            if (!fieldDef) return;
            const args = getArgumentValues(fieldDef, field, variables.coerced);
            countField(field.name.value, args, limits, refs);
          });
          if (refs.size > limits.maxRefundsPerOperation) {
            throw badInput(
              `This operation asks for ${refs.size} distinct refunds; at most ${limits.maxRefundsPerOperation} are allowed per operation. Split it into smaller operations`,
            );
          }
        },
      };
    },
  };
}

function countField(name: string, args: Record<string, unknown>, limits: Limits, refs: Set<string>): void {
  if (name === 'refund') {
    addRef(refs, () => parseRefundId(String(args.id)));
  } else if (name === 'refunds') {
    const ids = args.ids as readonly string[];
    if (ids.length > limits.maxIdsPerField) {
      throw badInput(`refunds accepts at most ${limits.maxIdsPerField} ids, received ${ids.length}`);
    }
    for (const id of ids) addRef(refs, () => parseRefundId(id));
  } else if (name === '_entities') {
    const representations = args.representations as readonly unknown[];
    if (representations.length > limits.maxEntityRepresentations) {
      throw badInput(
        `_entities accepts at most ${limits.maxEntityRepresentations} representations, received ${representations.length}`,
      );
    }
    representations.forEach((representation, index) =>
      addRef(refs, () => refFromRepresentation(representation, index)),
    );
  }
}

/**
 * `Refund` is the only entity this subgraph resolves. Apollo would fail the whole `_entities` list
 * with an internal error for any other representation, so it is refused here as bad input.
 */
function refFromRepresentation(representation: unknown, index: number): RefundRef | null {
  const fields =
    typeof representation === 'object' && representation !== null ? (representation as Record<string, unknown>) : null;
  if (fields?.__typename !== 'Refund') {
    throw badInput(
      `_entities representation ${index} must be an object with __typename "Refund", the only entity this subgraph resolves; received ${quoteInput(fields ? fields.__typename : representation)}`,
    );
  }
  return typeof fields.id === 'string'
    ? parseRefundId(fields.id)
    : parseRefundKey(fields.provider, fields.providerRefundId);
}

function addRef(refs: Set<string>, parse: () => RefundRef | null): void {
  try {
    const ref = parse();
    if (ref) refs.add(refundCacheKey(ref));
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
  }
}

function visitRootFields(
  selectionSet: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  visited: Set<string>,
  onField: (field: FieldNode) => void,
): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) onField(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT)
      visitRootFields(selection.selectionSet, fragments, visited, onField);
    else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (!fragment || visited.has(name)) continue;
      visited.add(name);
      visitRootFields(fragment.selectionSet, fragments, visited, onField);
    }
  }
}

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
}
