/**
 * docs/adding-a-provider.md against the code: every path it names exists, every registered provider
 * follows its naming rules, every file of a provider folder is one it lists (and every file it does
 * not mark optional is there), and the touch points outside src/ it lists name every provider.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, Kind, type ObjectTypeDefinitionNode, type UnionTypeDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { PROVIDERS } from '../../src/providers/registry.js';

const ROOT = join(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const DOC = read('docs/adding-a-provider.md');
/** The doc's worked example, a provider that does not exist. */
const EXAMPLE_PREFIX = 'acmepay';

/** A row of the table after "A provider folder holds": a file name (`<x>` = any name) and whether it is optional. */
interface FolderRow {
  readonly file: string;
  readonly pattern: RegExp;
  readonly optional: boolean;
}

function folderRows(): FolderRow[] {
  const lines = DOC.slice(DOC.indexOf('A provider folder holds')).split('\n');
  const start = lines.findIndex((line) => line.trim().startsWith('| `'));
  const rows: FolderRow[] = [];
  for (const line of lines.slice(start)) {
    const match = /^\s*\|\s*`([^`]+)`\s*\|\s*(.*?)\s*\|\s*$/.exec(line);
    if (!match) break;
    const file = match[1]!;
    const pattern = new RegExp(`^${file.replace(/[.]/g, '\\.').replace(/<[^>]+>/g, '[a-z0-9-]+')}$`);
    rows.push({ file, pattern, optional: match[2]!.startsWith('optional') });
  }
  return rows;
}

const ROWS = folderRows();
const providerFolder = (prefix: string) => join(ROOT, 'src/providers', prefix);

function unionMembers(): string[] {
  const schema = parse(read('schema.graphql'));
  const union = schema.definitions.find(
    (node): node is UnionTypeDefinitionNode =>
      node.kind === Kind.UNION_TYPE_DEFINITION && node.name.value === 'RefundDetails',
  );
  return union?.types?.map((type) => type.name.value) ?? [];
}

describe('docs/adding-a-provider.md', () => {
  it('lists the files of a provider folder', () => {
    expect(ROWS.map((row) => row.file)).toContain('index.ts');
    expect(ROWS.length).toBeGreaterThan(10);
  });

  it('names only paths that exist', () => {
    const tokens = [...DOC.matchAll(/`([^`\s]+)`/g)].map((match) => match[1]!);
    const paths = tokens.filter(
      (token) => /(\/|\.(ts|tsx|md|graphql|yml|cjs|mjs|json))$/.test(token) && !/[<>:*]/.test(token),
    );
    expect(paths.length).toBeGreaterThan(20);
    const missing = paths.filter((path) => {
      if (path.includes(EXAMPLE_PREFIX)) return false;
      if (path.includes('/')) return !existsSync(join(ROOT, path));
      // A bare file name is a repository root file or one of a provider folder's files.
      return !existsSync(join(ROOT, path)) && !ROWS.some((row) => row.pattern.test(path));
    });
    expect(missing).toEqual([]);
  });

  it.each(PROVIDERS.map((definition) => [definition.name, definition] as const))(
    '%s: globalIdPrefix is the lower-case name, and the folder of that name exports the definition',
    async (name, definition) => {
      expect(definition.globalIdPrefix).toBe(name.toLowerCase());
      const folder = providerFolder(definition.globalIdPrefix);
      expect(existsSync(join(folder, 'index.ts')), folder).toBe(true);
      const exported = Object.values((await import(join(folder, 'index.ts'))) as Record<string, unknown>);
      expect(exported).toContain(definition);
    },
  );

  it.each(PROVIDERS.map((definition) => [definition.globalIdPrefix] as const))(
    'src/providers/%s/ holds only files the list names, and every one it does not mark optional',
    (prefix) => {
      const files = readdirSync(providerFolder(prefix));
      expect(files.filter((file) => !ROWS.some((row) => row.pattern.test(file)))).toEqual([]);
      const absent = ROWS.filter((row) => !row.optional && !files.some((file) => row.pattern.test(file)));
      expect(absent.map((row) => row.file)).toEqual([]);
    },
  );

  it('the RefundDetails union has one member per provider, each mapped in codegen.yml to its folder', () => {
    const members = unionMembers();
    expect(members).toHaveLength(PROVIDERS.length);
    const codegen = read('codegen.yml');
    const folders = members.map((member) => {
      const line = new RegExp(`^\\s*${member}: \\.\\./providers/([a-z0-9]+)/model\\.js#`, 'm').exec(codegen);
      expect(line, `codegen.yml maps ${member} to a provider's model.ts`).not.toBeNull();
      return line![1];
    });
    expect(folders.sort()).toEqual(PROVIDERS.map((definition) => definition.globalIdPrefix).sort());
  });

  it("every details type has its fragment in Refund.details' description, the README and the GraphiQL examples", () => {
    const schema = parse(read('schema.graphql'));
    const refund = schema.definitions.find(
      (node): node is ObjectTypeDefinitionNode =>
        node.kind === Kind.OBJECT_TYPE_DEFINITION && node.name.value === 'Refund',
    );
    const details = refund?.fields?.find((field) => field.name.value === 'details')?.description?.value ?? '';
    const places = {
      'Refund.details': details,
      'README.md': read('README.md'),
      web: read('web/graphiql/example-operations.ts'),
    };
    for (const member of unionMembers()) {
      for (const [place, text] of Object.entries(places)) {
        expect(text, `${place} has a fragment on ${member}`).toContain(`... on ${member}`);
      }
    }
  });
});
