/**
 * The layer rules in .dependency-cruiser.cjs can fail: dependency-cruiser runs with the project's
 * own configuration over a scratch tree in which each rule is broken once, and must name every
 * planted violation (and nothing in the tree's clean modules).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CONFIG = resolve('.dependency-cruiser.cjs');
const DEPCRUISE = resolve('node_modules/.bin/depcruise');

/** Module path -> the modules it imports (paths under the scratch root, without extension). */
const TREE: Record<string, string[]> = {
  // A clean spine: each layer importing the one below.
  'src/index': ['src/app/root'],
  'src/app/root': ['src/server/http', 'src/refunds/read/reader'],
  'src/server/http': ['src/refunds/read/reader', 'src/providers/registry'],
  'src/refunds/read/reader': ['src/store/kv', 'src/providers/port'],
  'src/store/kv': ['src/domain/money'],
  'src/providers/port': ['src/domain/money'],
  'src/providers/registry': ['src/providers/alpha/index', 'src/providers/beta/index'],
  'src/providers/alpha/index': ['src/providers/http/core'],
  'src/providers/beta/index': ['src/providers/http/core'],
  'src/providers/http/core': [],
  'src/domain/money': [],
  'src/simulator-kit/kit': [],
  // Planted violations, one per rule.
  'src/refunds/create/upward': ['src/server/http'],
  'src/store/upward': ['src/refunds/read/reader'],
  'src/domain/upward': ['src/providers/port'],
  'src/providers/alpha/mapper': ['src/providers/beta/index'],
  'src/resolvers/Refund': ['src/providers/alpha/index'],
  'src/misc/outside': ['src/domain/money'],
  'src/simulator-kit/leaky': ['src/domain/money'],
  'src/refunds/live/a': ['src/refunds/live/b'],
  'src/refunds/live/b': ['src/refunds/live/a'],
  'src/app/imports-entry': ['src/index'],
};

const EXPECTED = [
  ['no-upward-import-from-use-cases', 'src/refunds/create/upward.ts', 'src/server/http.ts'],
  ['no-upward-import-from-infrastructure', 'src/store/upward.ts', 'src/refunds/read/reader.ts'],
  ['no-upward-import-from-domain', 'src/domain/upward.ts', 'src/providers/port.ts'],
  ['no-provider-imports-another', 'src/providers/alpha/mapper.ts', 'src/providers/beta/index.ts'],
  ['no-transport-into-a-provider', 'src/resolvers/Refund.ts', 'src/providers/alpha/index.ts'],
  ['module-outside-the-layers', 'src/misc/outside.ts', null],
  ['simulator-kit-stands-alone', 'src/simulator-kit/leaky.ts', 'src/domain/money.ts'],
  ['no-circular', 'src/refunds/live/a.ts', 'src/refunds/live/b.ts'],
  ['no-import-of-process-entry', 'src/app/imports-entry.ts', 'src/index.ts'],
] as const;

interface Violation {
  readonly rule: { readonly name: string };
  readonly from: string;
  readonly to: string;
}

let root: string;
let violations: Violation[];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'layer-rules-'));
  writeFileSync(
    join(root, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true } }),
  );
  for (const [module, imports] of Object.entries(TREE)) {
    const file = join(root, `${module}.ts`);
    mkdirSync(dirname(file), { recursive: true });
    const lines = imports.map((target, index) => {
      let specifier = target.startsWith('src/') ? relativeSpecifier(module, target) : target;
      specifier += '.js';
      return `import * as m${index} from '${specifier}';\nexport const use${index} = m${index};`;
    });
    writeFileSync(file, `${lines.join('\n')}\nexport const here = '${module}';\n`);
  }
  const output = runCruiser(root);
  violations = (JSON.parse(output) as { summary: { violations: Violation[] } }).summary.violations;
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function relativeSpecifier(from: string, to: string): string {
  const fromParts = dirname(from).split('/');
  const toParts = to.split('/');
  let common = 0;
  while (common < fromParts.length && fromParts[common] === toParts[common]) common += 1;
  const up = fromParts.length - common;
  return (up === 0 ? './' : '../'.repeat(up)) + toParts.slice(common).join('/');
}

/** depcruise exits non-zero when it finds violations; its JSON report is what we want either way. */
function runCruiser(cwd: string): string {
  try {
    return execFileSync(DEPCRUISE, ['src', '--config', CONFIG, '--output-type', 'json'], {
      cwd,
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout } = error as { stdout?: string };
    if (!stdout) throw error;
    return stdout;
  }
}

describe('the layer rules', () => {
  it.each(EXPECTED)('%s is reported for %s', (rule, from, to) => {
    const found = violations.filter(
      (violation) => violation.rule.name === rule && violation.from === from && (to === null || violation.to === to),
    );
    expect(found, JSON.stringify(violations.map((v) => [v.rule.name, v.from, v.to]))).not.toHaveLength(0);
  });

  it('reports nothing about the clean modules', () => {
    const planted = new Set<string>(EXPECTED.flatMap(([, from]) => [from]));
    planted.add('src/refunds/live/b.ts');
    const others = violations.filter((violation) => !planted.has(violation.from));
    expect(others.map((violation) => [violation.rule.name, violation.from, violation.to])).toEqual([]);
  });
});
