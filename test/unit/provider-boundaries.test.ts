/**
 * A provider is one folder: outside `src/providers/<name>/`, the only places that may name a
 * provider are the registry and generated code. And the registry and the schema's
 * `RefundProvider` enum list the same providers.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse, Kind, type EnumTypeDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { PROVIDERS } from '../../src/providers/registry.js';

const SRC = join(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.tsx?$/.test(entry) ? [path] : [];
  });
}

describe('provider boundaries', () => {
  it('names no provider outside its folder, the registry and generated code', () => {
    const providerFolders = PROVIDERS.map((definition) => `providers/${definition.globalIdPrefix}/`);
    const names = PROVIDERS.flatMap((definition) => [definition.name, definition.label, definition.globalIdPrefix]);
    const pattern = new RegExp(names.map((name) => name.replace(/[^A-Za-z0-9]/g, '')).join('|'), 'i');
    const offending = sourceFiles(SRC)
      .map((path) => relative(SRC, path))
      .filter((path) => !providerFolders.some((folder) => path.startsWith(folder)))
      .filter((path) => path !== 'providers/registry.ts' && !path.startsWith('__generated__/'))
      // `CreateRefundPayload` (a contract name) spells "efundPay" across "Refund" and "Payload".
      .filter((path) => pattern.test(readFileSync(join(SRC, path), 'utf8').replaceAll('CreateRefundPayload', '')));
    expect(offending).toEqual([]);
  });

  it('registers exactly the providers of the RefundProvider enum', () => {
    const schema = parse(readFileSync(join(SRC, '../schema.graphql'), 'utf8'));
    const enumNode = schema.definitions.find(
      (node): node is EnumTypeDefinitionNode =>
        node.kind === Kind.ENUM_TYPE_DEFINITION && node.name.value === 'RefundProvider',
    );
    expect(PROVIDERS.length).toBeGreaterThan(0);
    expect(enumNode?.values?.map((value) => value.name.value)).toEqual(PROVIDERS.map((definition) => definition.name));
  });
});
