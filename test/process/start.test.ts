/**
 * The real process entry, `node --import tsx src/index.ts`, as an operator runs it: with no
 * credentials it serves the sandbox and says so; in production without credentials it refuses to
 * start and names the settings; with credentials it talks to the configured providers and runs no
 * simulator. SIGTERM stops it with exit code 0. Only the child processes started here are signalled.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PROVIDERS } from '../../src/providers/registry.js';
import { startTestSimulators, type TestSimulators } from '../helpers/stack.js';
import {
  killSpawnedSubgraphs,
  spawnSubgraph as spawnEntry,
  type SubgraphProcess,
} from '../helpers/subgraph-process.js';
import { EFUNDPAY_EUR_DOCS_EXAMPLE, WOOSHPAY_USD_DOCS_EXAMPLE } from '../fixtures/sandbox-refunds.js';

const STARTUP_TIMEOUT_MS = 45_000;

const simulators: TestSimulators[] = [];

afterEach(async () => {
  killSpawnedSubgraphs();
  await Promise.all(simulators.splice(0).map((running) => running.close()));
});

/** Waits for the ready line and returns the GraphQL URL it announces. */
async function readyUrl(entry: SubgraphProcess): Promise<string> {
  const { url } = await entry.ready();
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
    const running = await startTestSimulators();
    simulators.push(running);
    const { wooshpay, efundpay } = running.simulators;

    const entry = spawnEntry(running.env);
    const url = await readyUrl(entry);
    const ready = entry.logs.find((line) => line.url !== undefined);
    expect(ready).toMatchObject({
      mode: 'providers',
      providers: Object.fromEntries(PROVIDERS.map((definition) => [definition.name, 'configured'])),
    });
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
    const running = await startTestSimulators();
    simulators.push(running);
    // Only WooshPay's variables: the other providers' are left out.
    const entry = spawnEntry(
      Object.fromEntries(Object.entries(running.env).filter(([name]) => !name.startsWith('EFUNDPAY_'))),
    );
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

  describe('secure by default in production', () => {
    async function productionEnv(extra: Record<string, string>): Promise<Record<string, string>> {
      const running = await startTestSimulators();
      simulators.push(running);
      return { ...running.env, NODE_ENV: 'production', ...extra };
    }

    it('refuses to start without ROUTER_SECRET, naming both ways out', async () => {
      const entry = spawnEntry(await productionEnv({}));
      const code = await entry.exit(STARTUP_TIMEOUT_MS);
      expect(code).not.toBe(0);
      expect(typeof code).toBe('number');
      expect(entry.stderr()).toContain('NODE_ENV=production needs ROUTER_SECRET');
      expect(entry.stderr()).toContain('ALLOW_WITHOUT_ROUTER_SECRET=true');
      expect(entry.logs.some((line) => typeof line.url === 'string')).toBe(false);
    });

    it('with ROUTER_SECRET: says so when ready and answers only requests that carry it', async () => {
      const secret = 'router-secret-0123456789abcdef';
      const entry = spawnEntry(await productionEnv({ ROUTER_SECRET: secret }));
      const url = await readyUrl(entry);
      const ready = entry.logs.find((line) => line.url !== undefined);
      expect(ready).toMatchObject({ graphqlAccess: 'the router only (ROUTER_SECRET is set)' });
      expect(String(ready?.msg)).toContain('GraphQL answers the router only (ROUTER_SECRET is set)');
      expect(JSON.stringify(entry.logs)).not.toContain(secret);

      const query = JSON.stringify({ query: '{ __typename }' });
      const headers = { 'content-type': 'application/json' };
      expect((await fetch(url, { method: 'POST', headers, body: query })).status).toBe(401);
      const allowed = await fetch(url, {
        method: 'POST',
        headers: { ...headers, 'router-authorization': secret },
        body: query,
      });
      expect(await allowed.json()).toEqual({ data: { __typename: 'Query' } });

      entry.child.kill('SIGTERM');
      expect(await entry.exit()).toBe(0);
    });

    it('with ALLOW_WITHOUT_ROUTER_SECRET=true: starts, and the ready line says GraphQL is open', async () => {
      const entry = spawnEntry(await productionEnv({ ALLOW_WITHOUT_ROUTER_SECRET: 'true' }));
      const url = await readyUrl(entry);
      const ready = entry.logs.find((line) => line.url !== undefined);
      const open = 'anyone who reaches the port (no ROUTER_SECRET; ALLOW_WITHOUT_ROUTER_SECRET=true)';
      expect(ready).toMatchObject({ graphqlAccess: open });
      expect(String(ready?.msg)).toContain(`GraphQL answers ${open}`);
      expect(await graphql(url, '{ __typename }')).toEqual({ data: { __typename: 'Query' } });

      entry.child.kill('SIGTERM');
      expect(await entry.exit()).toBe(0);
    });
  });
});
