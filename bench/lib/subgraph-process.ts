/**
 * The subgraph as its own process, run the way `npm start` runs it: the entry compiled by tsc with
 * the production tsconfig, plain `node` with the node options of the `start` script, configured
 * by environment only. Compiled to node_modules/.cache/refunds-bench (inside the package, so
 * dependencies resolve as from dist/), so a bench never touches dist/. BENCH_BUILD_DIR names another
 * directory under the package (e.g. a kept copy of an earlier build, to compare two builds in the
 * same time window with BENCH_NO_BUILD=1).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUILD_DIR = process.env.BENCH_BUILD_DIR
  ? join(ROOT, process.env.BENCH_BUILD_DIR)
  : join(ROOT, 'node_modules', '.cache', 'refunds-bench');

/** The node options `npm start` runs the subgraph with (its NODE_OPTIONS default). */
export const START_NODE_OPTIONS: readonly string[] = (/NODE_OPTIONS="([^"$]*)/.exec(startScript())?.[1] ?? '')
  .split(/\s+/)
  .filter((arg) => arg !== '');

/** The environment defaults `npm start` sets before node (`NAME=${NAME:-value}`, e.g. MALLOC_ARENA_MAX). */
export const START_ENV: Readonly<Record<string, string>> = Object.fromEntries(
  [...startScript().matchAll(/\b([A-Z_]+)=\$\{\1:-([^}]*)\}/g)].map((match) => [match[1]!, match[2]!]),
);

function startScript(): string {
  return (
    (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts
      .start ?? ''
  );
}

/** Compiles src/ with the production tsconfig into the bench's build directory. */
export async function buildSubgraph(): Promise<void> {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const child = spawn(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', BUILD_DIR], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`Expected tsc to compile src/ for the benchmark, it exited with ${code}`);
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('Expected a TCP address for the port probe');
  return address.port;
}

/** Resident set size now and at its peak (Linux /proc), in MB; null elsewhere. */
export function memoryOf(pid: number): { rss: number; peak: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/**
 * The CPU time (user + system, every thread) a process has used so far, in milliseconds, from the
 * scheduler's nanosecond counters (/proc/<pid>/task/<tid>/schedstat); null without them. Node's
 * threads (main, V8 workers, libuv pool) live as long as the process, so the sum over the live
 * threads is the process's own CPU time.
 */
export function cpuTimeMsOf(pid: number): number | null {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    }
    return Number.isFinite(ns) ? ns / 1e6 : null;
  } catch {
    return null;
  }
}

/**
 * Resets the process's peak RSS (VmHWM) to its current RSS (Linux clear_refs), so the next
 * `memoryOf(pid).peak` is the peak since now. False when the kernel refused it.
 */
export function resetPeakOf(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export interface SubgraphProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** RSS now and at its peak, in MB; null without /proc. */
  memory(): { rss: number; peak: number } | null;
  /** The process's own CPU time so far (ms, every thread); null without /proc. */
  cpuTimeMs(): number | null;
  /** Starts a new peak-RSS period (see resetPeakOf); false when not possible. */
  resetPeak(): boolean;
  /** SIGTERM, then SIGKILL after 10 s; resolves when the process has exited. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** The subgraph's environment (provider variables, LOG_LEVEL, …); HOST and PORT are set here. */
  readonly env: Record<string, string>;
  /** Extra node flags after `npm start`'s own (e.g. `--cpu-prof`). */
  readonly nodeArgs?: readonly string[];
  /** Called with each stdout line (log lines); stdout is discarded without it. */
  readonly onLine?: (line: string) => void;
  readonly label: string;
  /** A script to run instead of the compiled subgraph (the bench's reference servers); it must answer GET /ready. */
  readonly entry?: string;
}

/** Starts the compiled subgraph (run `buildSubgraph()` first) and waits until `/ready` answers 200. */
export async function startSubgraphProcess(options: StartOptions): Promise<SubgraphProcess> {
  const port = await freePort();
  const stderr: string[] = [];
  let stopping = false;
  const child = spawn(
    process.execPath,
    [...START_NODE_OPTIONS, ...(options.nodeArgs ?? []), options.entry ?? join(BUILD_DIR, 'src', 'index.js')],
    {
      cwd: ROOT,
      stdio: ['ignore', options.onLine ? 'pipe' : 'ignore', 'pipe'],
      env: { PATH: process.env.PATH, ...START_ENV, ...options.env, HOST: '127.0.0.1', PORT: String(port) },
    },
  );
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  if (options.onLine && child.stdout) {
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line !== '') options.onLine!(line);
    });
  }
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      if (!stopping) {
        process.stderr.write(
          `${options.label}: the subgraph exited early (code ${code}, signal ${signal}):\n${stderr.join('')}\n`,
        );
      }
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    stopping = true;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Expected the subgraph to start, it exited: ${stderr.join('')}`);
    try {
      const response = await fetch(`${url}/ready`);
      await response.arrayBuffer();
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error('Expected the subgraph to answer /ready within 60 s');
    }
    await sleep(100);
  }
  return {
    child,
    url,
    memory: () => (child.pid === undefined ? null : memoryOf(child.pid)),
    cpuTimeMs: () => (child.pid === undefined ? null : cpuTimeMsOf(child.pid)),
    resetPeak: () => child.pid !== undefined && resetPeakOf(child.pid),
    stop,
  };
}
