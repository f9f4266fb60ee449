/**
 * The one place the per-operation limits are enforced. Rejects an operation before it executes,
 * and so before any provider call, when it asks for too much:
 * - more ids in one `refunds` than allowed, or more `_entities` representations than allowed;
 * - a representation that is not a `Refund` (Apollo would fail the whole list as an internal error);
 * - more distinct refunds in total (through aliases, fragments and representations) than allowed:
 *   this bounds provider calls;
 * - more `Refund` objects resolved than allowed, duplicates and repeated ids counted: this bounds
 *   the work and the size of the response, however the refunds are asked for.
 * Ids and key fields that fail validation are left to the resolvers, which fail them one by one at
 * their own index.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  OperationTypeNode,
  getArgumentValues,
  getDirectiveValues,
  getVariableValues,
  type FieldNode,
  type FragmentDefinitionNode,
  type FragmentSpreadNode,
  type InlineFragmentNode,
  type SelectionSetNode,
} from 'graphql';
import type { RequestLimits } from '../request-limits.js';
import { InvalidInputError, quoteInput } from '../../domain/errors.js';
import { parseRefundId, type RefundRef } from '../../providers/ids.js';
import { refundLoaderKey } from '../../refunds/read/refund-loader.js';
import { refundRefFromRepresentation } from '../../resolvers/refund-reference.js';
import { connectionRefunds } from './connection-cost.js';
import type { RequestContext } from './context.js';

export type OperationLimits = Pick<
  RequestLimits,
  'maxIdsPerField' | 'maxRefundsPerOperation' | 'maxEntityRepresentations' | 'maxRefundsResolvedPerOperation'
>;

/** What one operation asks for, counted before it runs. */
interface Tally {
  /** Distinct refunds, by loader key. */
  readonly distinct: Set<string>;
  /** Refund objects the response would hold, duplicates included. */
  resolved: number;
}

export function createOperationLimitsPlugin(limits: OperationLimits): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, schema }) {
          if (operation?.operation !== OperationTypeNode.QUERY) return;
          const queryType = schema.getQueryType();
          if (!queryType) return;
          const variables = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {});
          if (variables.errors) return; // execution reports them
          const fragments = new Map<string, FragmentDefinitionNode>();
          for (const definition of document.definitions) {
            if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
          }
          // Fields with the same response key are merged into one by execution (validation made
          // sure they can be), so each response key is counted once.
          const rootFields = new Map<string, FieldNode>();
          collectRootFields(operation.selectionSet, fragments, variables.coerced, new Set(), rootFields);
          const tally: Tally = { distinct: new Set(), resolved: 0 };
          for (const field of rootFields.values()) {
            const fieldDef = queryType.getFields()[field.name.value];
            if (!fieldDef) continue;
            countField(field.name.value, getArgumentValues(fieldDef, field, variables.coerced), limits, tally);
          }
          // Each refund a connection (Payment.refunds, refundSearch) can hold counts too.
          tally.resolved += connectionRefunds(operation.selectionSet, queryType, {
            schema,
            fragments,
            variables: variables.coerced,
            included: (node) => included(node, variables.coerced),
          });
          if (tally.resolved > limits.maxRefundsResolvedPerOperation) {
            throw badInput(
              `This operation would resolve ${tally.resolved} Refund objects (repeated ids and aliases count each time), ${tally.resolved - limits.maxRefundsResolvedPerOperation} more than the limit of ${limits.maxRefundsResolvedPerOperation} per operation; ask for each refund once, or split the operation`,
            );
          }
          if (tally.distinct.size > limits.maxRefundsPerOperation) {
            throw badInput(
              `This operation asks for ${tally.distinct.size} distinct refunds; at most ${limits.maxRefundsPerOperation} are allowed per operation. Split it into smaller operations`,
            );
          }
        },
      };
    },
  };
}

function countField(name: string, args: Record<string, unknown>, limits: OperationLimits, tally: Tally): void {
  if (name === 'refund') {
    tally.resolved += 1;
    addRef(tally, () => parseRefundId(String(args.id)));
  } else if (name === 'refunds') {
    const ids = args.ids as readonly string[];
    if (ids.length > limits.maxIdsPerField) {
      throw badInput(`refunds accepts at most ${limits.maxIdsPerField} ids, received ${ids.length}`);
    }
    tally.resolved += ids.length;
    for (const id of ids) addRef(tally, () => parseRefundId(id));
  } else if (name === '_entities') {
    const representations = args.representations as readonly unknown[];
    if (representations.length > limits.maxEntityRepresentations) {
      throw badInput(
        `_entities accepts at most ${limits.maxEntityRepresentations} representations, received ${representations.length}`,
      );
    }
    representations.forEach((representation, index) => {
      const fields = entityRepresentation(representation, index);
      if (fields.__typename === 'Payment') return;
      tally.resolved += 1;
      addRef(tally, () => refundRefFromRepresentation(fields));
    });
  }
}

/** The entities this subgraph resolves. */
const ENTITY_TYPES: ReadonlySet<unknown> = new Set(['Refund', 'Payment']);

/**
 * `Refund` and `Payment` are the only entities this subgraph resolves. Apollo would fail the whole
 * `_entities` list with an internal error for any other representation, so it is refused here as
 * bad input. (A Payment's refunds count through its `refunds` connection.)
 */
function entityRepresentation(representation: unknown, index: number): Readonly<Record<string, unknown>> {
  const fields =
    typeof representation === 'object' && representation !== null && !Array.isArray(representation)
      ? (representation as Record<string, unknown>)
      : null;
  if (!ENTITY_TYPES.has(fields?.__typename)) {
    throw badInput(
      `_entities representation ${index} must be an object with __typename "Refund" or "Payment", the only entities this subgraph resolves; received ${quoteInput(fields ? fields.__typename : representation)}`,
    );
  }
  return fields!;
}

function addRef(tally: Tally, parse: () => RefundRef): void {
  try {
    tally.distinct.add(refundLoaderKey(parse()));
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
  }
}

function collectRootFields(
  selectionSet: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  visited: Set<string>,
  fields: Map<string, FieldNode>,
): void {
  for (const selection of selectionSet.selections) {
    if (!included(selection, variables)) continue;
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      if (!fields.has(key)) fields.set(key, selection);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collectRootFields(selection.selectionSet, fragments, variables, visited, fields);
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (!fragment || visited.has(name)) continue;
      visited.add(name);
      collectRootFields(fragment.selectionSet, fragments, variables, visited, fields);
    }
  }
}

/** `@skip` and `@include`, as execution applies them. */
function included(
  node: FieldNode | InlineFragmentNode | FragmentSpreadNode,
  variables: Record<string, unknown>,
): boolean {
  if (!node.directives?.length) return true;
  if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
}

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
}
