/**
 * The subgraph as a real process, configured through its environment only: by default as
 * `npm run dev` runs it (`node --import tsx src/index.ts`), or the built entry as `npm start` runs
 * it. The child gets PATH and HOME plus the given variables, not the test runner's environment
 * (vitest sets NODE_ENV=test, which changes how Apollo Server treats signals). Only processes
 * spawned here are ever signalled.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { packageRoot } from '../../src/server/package-root.js';

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** performance.now() when the process exited. */
  readonly at: number;
}

export interface SubgraphProcess {
  readonly child: ChildProcess;
  /** Every stdout line in order, parsed; a line that is not JSON is kept as `{ notJson: line }`. */
  readonly logs: Array<Record<string, unknown>>;
  stderr(): string;
  /** Resolves with the first log line matching `predicate`; rejects on exit or after `timeoutMs`. */
  waitForLog(
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Waits for the "ready" line; its GraphQL URL and port. */
  ready(timeoutMs?: number): Promise<{ url: string; port: number }>;
  readonly exited: Promise<ExitStatus>;
  /** Resolves with the exit code (or the signal's name); rejects after `timeoutMs`. */
  exit(timeoutMs?: number): Promise<number | string>;
}

export interface SpawnOptions {
  /** `source` (default): `node --import tsx src/index.ts`; `built`: `node dist/src/index.js` (run `npm run build` first). */
  readonly entry?: 'source' | 'built';
  /** Extra node flags, e.g. `--max-old-space-size=128` as `npm start` sets. */
  readonly nodeOptions?: readonly string[];
}

const STARTUP_TIMEOUT_MS = 45_000;
const EXIT_TIMEOUT_MS = 20_000;
const spawned = new Set<ChildProcess>();

export function spawnSubgraph(env: Record<string, string>, options: SpawnOptions = {}): SubgraphProcess {
  const entry = options.entry === 'built' ? ['dist/src/index.js'] : ['--import', 'tsx', 'src/index.ts'];
  const child = spawn(process.execPath, [...(options.nodeOptions ?? []), ...entry], {
    cwd: packageRoot(),
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  spawned.add(child);
  const logs: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.trim() === '') return;
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      logs.push({ notJson: line });
    }
    for (const wake of waiters) wake();
  });
  const exited = new Promise<ExitStatus>((resolve) =>
    child.once('exit', (code, signal) => {
      spawned.delete(child);
      resolve({ code, signal, at: performance.now() });
    }),
  );

  const waitForLog: SubgraphProcess['waitForLog'] = (predicate, timeoutMs = STARTUP_TIMEOUT_MS) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = logs.find(predicate);
        if (found) {
          cleanup();
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `Expected a matching log line within ${timeoutMs} ms; stdout: ${JSON.stringify(logs)}; stderr: ${stderr}`,
          ),
        );
      }, timeoutMs);
      const onExit = () => {
        // Let the last stdout lines arrive before giving up.
        setTimeout(() => {
          check();
          cleanup();
          reject(
            new Error(
              `Expected a matching log line, the process exited first; stdout: ${JSON.stringify(logs)}; stderr: ${stderr}`,
            ),
          );
        }, 100);
      };
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
        child.off('exit', onExit);
      };
      waiters.add(check);
      child.once('exit', onExit);
      check();
    });

  return {
    child,
    logs,
    stderr: () => stderr,
    waitForLog,
    async ready(timeoutMs) {
      const line = await waitForLog(
        (log) => typeof log.url === 'string' && String(log.msg).startsWith('Refunds subgraph ready'),
        timeoutMs,
      );
      const url = String(line.url);
      return { url, port: Number(new URL(url).port) };
    },
    exited,
    async exit(timeoutMs = EXIT_TIMEOUT_MS) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Expected the process to exit within ${timeoutMs} ms; stderr: ${stderr}`)),
          timeoutMs,
        );
      });
      try {
        const { code, signal } = await Promise.race([exited, timeout]);
        return code ?? String(signal);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** SIGKILLs every process spawned here that is still running (for afterEach/afterAll). */
export function killSpawnedSubgraphs(): void {
  for (const child of spawned) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  spawned.clear();
}
