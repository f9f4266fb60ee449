/**
 * README.md's Configuration table and the settings the code reads agree, both ways: every
 * environment variable the configuration reads has a row, and every row names a variable the
 * configuration reads (a row for a removed setting must go).
 *
 * "What the configuration reads" is found two ways, and both count: the keys of the zod schemas in
 * src/app/config.ts and the providers' settings files, and every variable loadConfig actually looks
 * up in the environment it is given (which also catches a setting read through a schema in a file
 * this list does not name).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/app/config.js';

/** Rows for variables that are not the subgraph's own settings, and why each is documented anyway. */
const DOCUMENTED_ELSEWHERE: Readonly<Record<string, string>> = {
  NODE_OPTIONS: 'read by Node itself; `npm start` sets the heap flags and appends yours',
};

const SCHEMA_FILES = [
  'src/app/config.ts',
  'src/providers/settings-fields.ts',
  ...readdirSync('src/providers', { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'http')
    .map((entry) => join('src/providers', entry.name, 'settings.ts')),
];

/** The text of every `z.object({ … })` in `source`, braces balanced. */
function zodObjects(source: string): string[] {
  const objects: string[] = [];
  let from = 0;
  for (;;) {
    const start = source.indexOf('z.object({', from);
    if (start < 0) return objects;
    let depth = 0;
    let end = start + 'z.object('.length;
    for (; end < source.length; end += 1) {
      if (source[end] === '{') depth += 1;
      else if (source[end] === '}' && --depth === 0) break;
    }
    objects.push(source.slice(start, end + 1));
    from = end + 1;
  }
}

/** The environment variable names the schemas declare (their upper-case keys). */
function schemaVariables(): Set<string> {
  const names = new Set<string>();
  for (const file of SCHEMA_FILES) {
    for (const object of zodObjects(readFileSync(file, 'utf8'))) {
      for (const match of object.matchAll(/^\s+([A-Z][A-Z0-9_]*):\s/gm)) names.add(match[1]!);
    }
  }
  return names;
}

/** Every variable loadConfig looks up, from an environment that records the lookups. */
function variablesLoadConfigReads(): Set<string> {
  const read = new Set<string>();
  const env = new Proxy<Record<string, string | undefined>>(
    {},
    {
      get(_target, key) {
        if (typeof key === 'string') read.add(key);
        return undefined;
      },
      has(_target, key) {
        if (typeof key === 'string') read.add(key);
        return false;
      },
    },
  );
  loadConfig(env);
  return new Set([...read].filter((name) => /^[A-Z][A-Z0-9_]*$/.test(name)));
}

/** The names in the first cell of each row of README.md's Configuration table. */
function readmeRows(): Set<string> {
  const readme = readFileSync('README.md', 'utf8');
  const start = readme.indexOf('\n## Configuration\n');
  expect(start, 'README.md has a "## Configuration" section').toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const names = new Set<string>();
  for (const line of section.split('\n')) {
    const firstCell = /^\|([^|]*)\|/.exec(line)?.[1];
    if (firstCell === undefined) continue;
    for (const match of firstCell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) names.add(match[1]!);
  }
  return names;
}

describe('README.md Configuration table', () => {
  const fromSchemas = schemaVariables();
  const fromLoadConfig = variablesLoadConfigReads();
  const settings = new Set([...fromSchemas, ...fromLoadConfig]);
  const rows = readmeRows();

  it('finds the settings (the scan itself works)', () => {
    for (const known of ['PORT', 'DATABASE_URL', 'WOOSHPAY_WEBHOOK_SECRET', 'EFUNDPAY_WEBHOOK_PUBLIC_KEY']) {
      expect(fromSchemas, `schema keys include ${known}`).toContain(known);
      expect(fromLoadConfig, `loadConfig reads ${known}`).toContain(known);
    }
    expect(rows.size).toBeGreaterThan(40);
  });

  it('has a row for every setting the configuration reads', () => {
    const missing = [...settings].filter((name) => !rows.has(name)).sort();
    expect(missing, 'settings without a row in README.md → Configuration').toEqual([]);
  });

  it('names no variable the configuration does not read', () => {
    const extra = [...rows].filter((name) => !settings.has(name) && !(name in DOCUMENTED_ELSEWHERE)).sort();
    expect(extra, 'rows in README.md → Configuration for variables nothing reads').toEqual([]);
  });
});
