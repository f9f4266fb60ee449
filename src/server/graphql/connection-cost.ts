/**
 * How many `Refund` objects the refund connections of an operation can resolve, counted before it
 * runs: each `RefundConnection` field (`Payment.refunds`, `refundSearch`, …) may hold up to its
 * `first` refunds, times how many of its parent the response can hold (a `refunds(ids)` list of N
 * ids, N `_entities` representations, the `first` of an enclosing connection). Nested connections
 * multiply: `refundSearch(first: 100) { nodes { payment { refunds(first: 100) } } }` counts 100 +
 * 100 × 100.
 */
import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';

export const CONNECTION_TYPE = 'RefundConnection';

export interface ConnectionCostInput {
  readonly schema: GraphQLSchema;
  readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  readonly variables: Record<string, unknown>;
  /** Whether a selection is executed (`@skip` / `@include`). */
  readonly included: (node: SelectionSetNode['selections'][number]) => boolean;
}

export function connectionRefunds(
  selectionSet: SelectionSetNode,
  type: GraphQLNamedType,
  input: ConnectionCostInput,
  multiplier = 1,
): number {
  let total = 0;
  for (const selection of selectionSet.selections) {
    if (!input.included(selection)) continue;
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const condition = selection.typeCondition ? input.schema.getType(selection.typeCondition.name.value) : type;
      if (condition) total += connectionRefunds(selection.selectionSet, condition, input, multiplier);
      continue;
    }
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = input.fragments.get(selection.name.value);
      const condition = fragment && input.schema.getType(fragment.typeCondition.name.value);
      if (fragment && condition) total += connectionRefunds(fragment.selectionSet, condition, input, multiplier);
      continue;
    }
    if (!selection.selectionSet || !(isObjectType(type) || isInterfaceType(type))) continue;
    const field = type.getFields()[selection.name.value];
    if (!field) continue;
    const returned = getNamedType(field.type);
    const args = getArgumentValues(field, selection, input.variables);
    let inner = multiplier;
    if (returned.name === CONNECTION_TYPE) {
      const first = typeof args.first === 'number' && args.first > 0 ? args.first : 0;
      total += multiplier * first;
      inner = multiplier * first;
    } else if (isListType(getNullableType(field.type))) {
      inner = multiplier * listLength(args);
    }
    total += connectionRefunds(selection.selectionSet, returned, input, inner);
  }
  return total;
}

/** The entries a list field can hold, where its arguments say (`ids`, `representations`); else 1. */
function listLength(args: Record<string, unknown>): number {
  for (const name of ['ids', 'representations']) {
    const value = args[name];
    if (Array.isArray(value)) return value.length;
  }
  return 1;
}
