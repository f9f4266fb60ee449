/**
 * The contract describes itself for the people who read it in GraphiQL's docs: every type, field,
 * argument, input field and enum value of schema.graphql has a description (as a schema linter
 * would require).
 */
import { readFileSync } from 'node:fs';
import { parse, visit, type ASTNode } from 'graphql';
import { describe, expect, it } from 'vitest';

const SCHEMA = parse(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));

/** Every definition a reader can look up, as `Type`, `Type.field`, `Type.field(argument)` or `Enum.VALUE`. */
function undescribed(document: ASTNode): { checked: number; missing: string[] } {
  const missing: string[] = [];
  let checked = 0;
  const path: string[] = [];
  const check = (name: string, description: unknown) => {
    checked += 1;
    if (!description) missing.push(name);
  };
  visit(document, {
    enter(node) {
      switch (node.kind) {
        case 'ObjectTypeDefinition':
        case 'InputObjectTypeDefinition':
        case 'EnumTypeDefinition':
        case 'UnionTypeDefinition':
        case 'InterfaceTypeDefinition':
        case 'ScalarTypeDefinition':
          check(node.name.value, node.description);
          path.push(node.name.value);
          break;
        case 'ObjectTypeExtension':
          path.push(node.name.value);
          break;
        case 'FieldDefinition':
          check(`${path.at(-1)}.${node.name.value}`, node.description);
          path.push(`${path.at(-1)}.${node.name.value}`);
          break;
        case 'InputValueDefinition':
          check(
            path.at(-1)?.includes('.') ? `${path.at(-1)}(${node.name.value})` : `${path.at(-1)}.${node.name.value}`,
            node.description,
          );
          break;
        case 'EnumValueDefinition':
          check(`${path.at(-1)}.${node.name.value}`, node.description);
          break;
        default:
      }
    },
    leave(node) {
      if (
        [
          'ObjectTypeDefinition',
          'InputObjectTypeDefinition',
          'EnumTypeDefinition',
          'UnionTypeDefinition',
          'InterfaceTypeDefinition',
          'ScalarTypeDefinition',
          'ObjectTypeExtension',
          'FieldDefinition',
        ].includes(node.kind)
      ) {
        path.pop();
      }
    },
  });
  return { checked, missing };
}

describe('schema.graphql', () => {
  it('describes every type, field, argument, input field and enum value', () => {
    const { checked, missing } = undescribed(SCHEMA);
    // Many definitions were looked at: a visitor that saw nothing could not pass.
    expect(checked).toBeGreaterThan(50);
    expect(missing).toEqual([]);
  });
});
