/**
 * The contract describes itself for the people who read it in GraphiQL's docs: every type, field,
 * argument, input field and enum value of schema.graphql has a description (as a schema linter
 * would require).
 */
import { readFileSync } from 'node:fs';
import { Kind, parse, visit, type ASTNode } from 'graphql';
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
        case Kind.OBJECT_TYPE_DEFINITION:
        case Kind.INPUT_OBJECT_TYPE_DEFINITION:
        case Kind.ENUM_TYPE_DEFINITION:
        case Kind.UNION_TYPE_DEFINITION:
        case Kind.INTERFACE_TYPE_DEFINITION:
        case Kind.SCALAR_TYPE_DEFINITION:
          check(node.name.value, node.description);
          path.push(node.name.value);
          break;
        case Kind.OBJECT_TYPE_EXTENSION:
          path.push(node.name.value);
          break;
        case Kind.FIELD_DEFINITION:
          check(`${path.at(-1)}.${node.name.value}`, node.description);
          path.push(`${path.at(-1)}.${node.name.value}`);
          break;
        case Kind.INPUT_VALUE_DEFINITION:
          check(
            path.at(-1)?.includes('.') ? `${path.at(-1)}(${node.name.value})` : `${path.at(-1)}.${node.name.value}`,
            node.description,
          );
          break;
        case Kind.ENUM_VALUE_DEFINITION:
          check(`${path.at(-1)}.${node.name.value}`, node.description);
          break;
        default:
      }
    },
    leave(node) {
      if (
        (
          [
            Kind.OBJECT_TYPE_DEFINITION,
            Kind.INPUT_OBJECT_TYPE_DEFINITION,
            Kind.ENUM_TYPE_DEFINITION,
            Kind.UNION_TYPE_DEFINITION,
            Kind.INTERFACE_TYPE_DEFINITION,
            Kind.SCALAR_TYPE_DEFINITION,
            Kind.OBJECT_TYPE_EXTENSION,
            Kind.FIELD_DEFINITION,
          ] as string[]
        ).includes(node.kind)
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
