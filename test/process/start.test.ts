/**
 * The real process entry, `node --import tsx src/index.ts`, as an operator runs it: with no
 * credentials it serves the sandbox and says so; in production without credentials it refuses to
 * start and names the settings; with credentials it talks to the configured providers and runs no
 * simulator. SIGTERM stops it with exit code 0. Only the child processes started here are signalled.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { startEfundpaySimulator } from '../../src/providers/efundpay/simulator.js';
import { startWooshPaySimulator } from '../../src/providers/wooshpay/simulator.js';
import type { SimulatorHandle } from '../../src/simulator-kit/fault-injection.js';
import { EFUNDPAY_EUR_DOCS_EXAMPLE, WOOSHPAY_USD_DOCS_EXAMPLE } from '../fixtures/sandbox-refunds.js';

const STARTUP_TIMEOUT_MS = 45_000;
const EXIT_TIMEOUT_MS = 20_000;

interface Entry {
  readonly child: ChildProcess;
  /** Parsed JSON log lines from stdout, in order. */
  readonly logs: Record<string, unknown>[];
  stderr(): string;
  /** Resolves with the first log line matching `predicate`; rejects on exit or after `timeoutMs`. */
  waitForLog(
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or signal name); rejects after `timeoutMs`. */
  exit(timeoutMs?: number): Promise<number | string>;
}

const children: ChildProcess[] = [];
const simulators: SimulatorHandle[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined)
      process.kill(child.pid, 'SIGKILL');
  }
  await Promise.all(simulators.splice(0).map((sim) => sim.close()));
});

/** The parent's environment without anything that configures the subgraph. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (
      /^(WOOSHPAY_|EFUNDPAY_|PROVIDER_|BREAKER_|MAX_|ROUTER_SECRET|GRAPHIQL|INTROSPECTION|SANDBOX_|NODE_ENV$|PORT$|HOST$|LOG_LEVEL$)/.test(
        name,
      )
    )
      continue;
    env[name] = value;
  }
  return { ...env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...extra };
}

function spawnEntry(extraEnv: Record<string, string>): Entry {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    cwd: process.cwd(),
    env: cleanEnv(extraEnv),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const logs: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      logs.push({ unparsed: line });
    }
    for (const wake of waiters) wake();
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

  return {
    child,
    logs,
    stderr: () => stderr,
    waitForLog(predicate, timeoutMs = STARTUP_TIMEOUT_MS) {
      return new Promise((resolve, reject) => {
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
              `no matching log line within ${timeoutMs} ms; stdout: ${JSON.stringify(logs)}; stderr: ${stderr}`,
            ),
          );
        }, timeoutMs);
        const onExit = () => {
          // Let the last stdout lines arrive before giving up.
          setTimeout(() => {
            check();
            cleanup();
            reject(
              new Error(`the process exited before the log line; stdout: ${JSON.stringify(logs)}; stderr: ${stderr}`),
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
    },
    async exit(timeoutMs = EXIT_TIMEOUT_MS) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the process did not exit within ${timeoutMs} ms; stderr: ${stderr}`)),
          timeoutMs,
        );
      });
      try {
        const [code, signal] = await Promise.race([exited, timeout]);
        return code ?? String(signal);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Waits for the ready line and returns the GraphQL URL it announces. */
async function readyUrl(entry: Entry): Promise<string> {
  const ready = await entry.waitForLog((line) => typeof line.url === 'string' && String(line.msg).includes('ready'));
  const url = String(ready.url);
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
  expect(url).not.toMatch(/:0\/graphql$/);
  return url;
}

async function graphql(url: string, query: string): Promise<{ data?: Record<string, unknown>; errors?: unknown[] }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(15_000),
  });
  return (await response.json()) as never;
}

const DOCS_QUERY = `{
  wooshpay: refund(id: "${WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId}") { id status amount { decimal currencyCode } details { __typename } }
  efundpay: refund(id: "${EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId}") { id status amount { decimal currencyCode } details { __typename } }
}`;

describe('node --import tsx src/index.ts', () => {
  it('with no credentials: warns it serves sandbox data, serves the docs examples, and exits 0 on SIGTERM', async () => {
    const entry = spawnEntry({});
    const url = await readyUrl(entry);

    const warning = entry.logs.find((line) => line.mode === 'sandbox' && String(line.msg).includes('SANDBOX MODE'));
    expect(warning).toBeDefined();
    expect(warning?.level).toBe('warn');
    expect(String(warning?.msg)).toContain('WOOSHPAY_SECRET_KEY');
    expect(String(warning?.msg)).toContain('EFUNDPAY_API_KEY');

    const body = await graphql(url, DOCS_QUERY);
    expect(body).toEqual({
      data: {
        wooshpay: {
          id: WOOSHPAY_USD_DOCS_EXAMPLE.id,
          status: 'SUCCEEDED',
          amount: { decimal: '20.00', currencyCode: 'USD' },
          details: { __typename: 'WooshPayRefundDetails' },
        },
        efundpay: {
          id: EFUNDPAY_EUR_DOCS_EXAMPLE.id,
          status: 'SUCCEEDED',
          amount: { decimal: '12.99', currencyCode: 'EUR' },
          details: { __typename: 'EfundpayRefundDetails' },
        },
      },
    });

    entry.child.kill('SIGTERM');
    expect(await entry.exit()).toBe(0);
    expect(entry.logs.some((line) => line.msg === 'Stopped')).toBe(true);
    expect(entry.stderr()).toBe('');
  });

  it('with NODE_ENV=production and no credentials: exits non-zero naming the settings to provide', async () => {
    const entry = spawnEntry({ NODE_ENV: 'production' });
    const code = await entry.exit(STARTUP_TIMEOUT_MS);
    expect(code).not.toBe(0);
    expect(typeof code).toBe('number');
    const stderr = entry.stderr();
    expect(stderr).toContain('NODE_ENV=production never serves sandbox data');
    for (const setting of ['WOOSHPAY_SECRET_KEY', 'EFUNDPAY_API_KEY', 'EFUNDPAY_KEY_ID', 'EFUNDPAY_PRIVATE_KEY']) {
      expect(stderr).toContain(setting);
    }
    expect(stderr).toContain('README.md');
    expect(entry.logs.some((line) => String(line.msg).includes('SANDBOX'))).toBe(false);
  });

  it('with invalid settings: exits non-zero listing each problem', async () => {
    const entry = spawnEntry({ PORT: 'http', PROVIDER_CONCURRENCY: '0' });
    expect(await entry.exit(STARTUP_TIMEOUT_MS)).not.toBe(0);
    expect(entry.stderr()).toContain('PORT must be a whole number from 0 to 65535, received "http"');
    expect(entry.stderr()).toContain('PROVIDER_CONCURRENCY must be a whole number from 1 to 1024, received "0"');
  });

  it('with credentials: runs no simulator and reads refunds from the configured providers', async () => {
    const secretKey = 'sk_test_process0123456789';
    const apiKey = 'efundpay_process_key_0123';
    const wooshpay = await startWooshPaySimulator({ secretKey });
    const efundpay = await startEfundpaySimulator({ merchantAccountId: 'default', apiKey });
    simulators.push(wooshpay, efundpay);

    const entry = spawnEntry({
      WOOSHPAY_BASE_URL: wooshpay.url,
      WOOSHPAY_SECRET_KEY: secretKey,
      EFUNDPAY_BASE_URL: efundpay.url,
      EFUNDPAY_API_KEY: apiKey,
    });
    const url = await readyUrl(entry);
    const ready = entry.logs.find((line) => line.url !== undefined);
    expect(ready).toMatchObject({ mode: 'providers', providers: { WOOSHPAY: 'configured', EFUNDPAY: 'configured' } });
    expect(entry.logs.some((line) => line.mode === 'sandbox' || String(line.msg).includes('SANDBOX'))).toBe(false);

    const body = await graphql(url, DOCS_QUERY);
    expect(body.errors).toBeUndefined();
    expect(body.data).toMatchObject({
      wooshpay: { id: WOOSHPAY_USD_DOCS_EXAMPLE.id },
      efundpay: { id: EFUNDPAY_EUR_DOCS_EXAMPLE.id },
    });
    // The refunds came from our simulators, not from a sandbox inside the process.
    expect(wooshpay.requestCount(WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId)).toBe(1);
    expect(efundpay.requestCount(EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId)).toBe(1);

    entry.child.kill('SIGTERM');
    expect(await entry.exit()).toBe(0);
  });

  it('with only WooshPay credentials: efundpay answers PROVIDER_NOT_CONFIGURED instead of sandbox data', async () => {
    const secretKey = 'sk_test_process0123456789';
    const wooshpay = await startWooshPaySimulator({ secretKey });
    simulators.push(wooshpay);

    const entry = spawnEntry({ WOOSHPAY_BASE_URL: wooshpay.url, WOOSHPAY_SECRET_KEY: secretKey });
    const url = await readyUrl(entry);
    expect(entry.logs.some((line) => String(line.msg).includes('SANDBOX'))).toBe(false);

    const body = await graphql(url, DOCS_QUERY);
    expect(body.data).toMatchObject({ wooshpay: { id: WOOSHPAY_USD_DOCS_EXAMPLE.id }, efundpay: null });
    expect(body.errors).toEqual([
      expect.objectContaining({
        path: ['efundpay'],
        extensions: { code: 'PROVIDER_NOT_CONFIGURED', provider: 'EFUNDPAY' },
      }),
    ]);

    entry.child.kill('SIGTERM');
    expect(await entry.exit()).toBe(0);
  });
});
