/**
 * `tsx bench/profile-summary.ts <file.cpuprofile | directory> [top]`: the self time of a V8 CPU
 * profile (as `node --cpu-prof` writes it, e.g. through `BENCH_NODE_ARGS="--cpu-prof
 * --cpu-prof-dir=/tmp/prof" npm run bench`), by function and by area (this project's provider HTTP
 * core, ky, the two undici copies, express, Apollo, graphql, GC, …), as a share of busy time (idle
 * and the program's own start excluded). For a directory, the newest profile in it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Areas, first match wins; matched against the frame's URL (or its name for V8's own frames). */
const AREAS: ReadonlyArray<readonly [string, RegExp]> = [
  ['GC', /^\(garbage collector\)$/],
  ['providers/http (ours)', /\/src\/providers\/http\//],
  ['providers (ours, other)', /\/src\/providers\//],
  ['ky', /\/node_modules\/ky\//],
  ['undici (npm)', /\/node_modules\/undici\//],
  ['undici (node:internal, fetch/Request)', /node:internal\/deps\/undici/],
  [
    'express / body-parser / router',
    /\/node_modules\/(express|body-parser|router|raw-body|iconv-lite|type-is|send|finalhandler)\//,
  ],
  ['Apollo Server / subgraph', /\/node_modules\/@apollo\//],
  ['graphql', /\/node_modules\/graphql\//],
  ['pino', /\/node_modules\/(pino|sonic-boom|fast-redact|thread-stream)/],
  ['opossum', /\/node_modules\/opossum\//],
  ['zod', /\/node_modules\/zod\//],
  ['other node_modules', /\/node_modules\//],
  ['ours (other src)', /\/src\//],
  ['node:http / net / streams', /node:(internal\/)?(http|_http|net|stream|streams|internal\/streams|internal\/http)/],
  ['node:internal (other)', /^node:/],
  ['V8 / native', /.*/],
];

function newestProfile(path: string): string {
  if (!statSync(path).isDirectory()) return path;
  const files = readdirSync(path)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => join(path, name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (files[0] === undefined) throw new Error(`Expected a .cpuprofile in ${path}, found none`);
  return files[0];
}

export function summariseProfile(file: string, top = 25): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i += 1) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)' || functionName === '(program)' || functionName === '(root)') continue;
    busy += us;
    const where = url === '' ? '' : ` ${url.replace(/^.*\/(node_modules|src)\//, '$1/')}:${lineNumber + 1}`;
    const key = `${functionName || '(anonymous)'}${where}`;
    functions.set(key, (functions.get(key) ?? 0) + us);
    const area = AREAS.find(([, pattern]) => pattern.test(url === '' ? functionName : url))![0];
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const share = (us: number) => `${((us / busy) * 100).toFixed(1)}%`.padStart(6);
  const lines = [
    `${file}: busy ${(busy / 1000).toFixed(0)} ms (idle and (program) excluded)`,
    '',
    'By area (self time):',
  ];
  for (const [area, us] of [...areas].sort((a, b) => b[1] - a[1])) lines.push(`  ${share(us)}  ${area}`);
  lines.push('', `Top ${top} functions (self time):`);
  for (const [name, us] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`  ${share(us)}  ${name}`);
  }
  return lines.join('\n');
}

const [path, top] = process.argv.slice(2);
if (path === undefined) {
  process.stderr.write('usage: tsx bench/profile-summary.ts <file.cpuprofile | directory> [top]\n');
  process.exitCode = 2;
} else {
  process.stdout.write(`${summariseProfile(newestProfile(path), Number(top ?? 25))}\n`);
}
