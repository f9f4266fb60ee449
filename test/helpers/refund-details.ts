/**
 * The `RefundDetails` selection for every provider, read from the contract (schema.graphql): one
 * `... on <Type> { … }` per member of the union, with every field of it. Tests that cover every
 * provider's details use it, so a new provider's details type is picked up without editing them.
 */
import { readFileSync } from 'node:fs';
import { Kind, parse, type ObjectTypeDefinitionNode, type TypeNode, type UnionTypeDefinitionNode } from 'graphql';

const SCHEMA = parse(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));

function objectType(name: string): ObjectTypeDefinitionNode | undefined {
  return SCHEMA.definitions.find(
    (node): node is ObjectTypeDefinitionNode => node.kind === Kind.OBJECT_TYPE_DEFINITION && node.name.value === name,
  );
}

function namedType(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type);
}

/** Every field of `type`, objects' fields included (`metadata { key value }`). */
function everyField(type: ObjectTypeDefinitionNode): string {
  return (type.fields ?? [])
    .map((field) => {
      const inner = objectType(namedType(field.type));
      return inner ? `${field.name.value} { ${everyField(inner)} }` : field.name.value;
    })
    .join(' ');
}

const union = SCHEMA.definitions.find(
  (node): node is UnionTypeDefinitionNode =>
    node.kind === Kind.UNION_TYPE_DEFINITION && node.name.value === 'RefundDetails',
);

/** The members of `RefundDetails`: one details type per provider. */
export const DETAILS_TYPES: readonly string[] = union?.types?.map((type) => type.name.value) ?? [];
if (DETAILS_TYPES.length === 0) throw new Error('Expected schema.graphql to define the RefundDetails union');

/** `... on <Type> { every field }` for every member of `RefundDetails`. */
export const DETAILS_FRAGMENTS = DETAILS_TYPES.map(
  (name) => `... on ${name} { ${everyField(objectType(name)!)} }`,
).join('\n');
