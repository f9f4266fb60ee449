/**
 * GraphiQL as the real server serves it: the built page at / and at /graphql for browsers, under
 * the Content-Security-Policy, with every asset it names served by the subgraph itself; no page
 * with GRAPHIQL=false (GraphQL unaffected); on by default outside production only. The saved
 * example operations all run against the sandbox seed as they are.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/app/config.js';
import { GRAPHIQL_CSP } from '../../src/server/http/graphiql.js';
import { packageRoot } from '../../src/server/package-root.js';
import { DEFAULT_QUERY, EXAMPLE_TABS } from '../../web/graphiql/example-operations.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { WOOSHPAY_USD_DOCS_EXAMPLE } from '../fixtures/sandbox-refunds.js';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const BUILT_PAGE = join(packageRoot(), 'dist', 'graphiql', 'index.html');
const CREDENTIALS = {
  WOOSHPAY_SECRET_KEY: 'sk_live_0123456789abcdef',
  EFUNDPAY_API_KEY: 'efundpay-live-key',
  ALLOW_WITHOUT_ROUTER_SECRET: 'true',
};

function requireBuiltPage(): string {
  if (!existsSync(BUILT_PAGE)) {
    throw new Error(
      `Expected the built GraphiQL page at ${BUILT_PAGE}, found none: run \`npm run build:web\` first (\`npm test\` does)`,
    );
  }
  return readFileSync(BUILT_PAGE, 'utf8');
}

/** The same-origin asset URLs the page names in src= and href= (data: URLs aside). */
function assetUrls(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)]
    .map((match) => match[1]!)
    .filter((url) => !url.startsWith('data:'));
}

describe('GraphiQL page on the running subgraph', () => {
  let stack: Stack;
  let builtPage: string;
  beforeAll(async () => {
    builtPage = requireBuiltPage();
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('serves the built page at / and at /graphql to a browser, under the CSP', async () => {
    for (const path of ['/', '/graphql']) {
      const response = await fetch(`${stack.url}${path}`, { headers: { accept: BROWSER_ACCEPT } });
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toMatch(/^text\/html/);
      expect(response.headers.get('content-security-policy'), path).toBe(GRAPHIQL_CSP);
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      const html = await response.text();
      expect(html, path).toBe(builtPage);
      expect(html).toContain('<div id="graphiql">');
    }
  });

  it('names only same-origin assets, and serves each of them with the CSP', async () => {
    const urls = assetUrls(builtPage);
    expect(urls.length).toBeGreaterThanOrEqual(2);
    expect(urls.some((url) => url.endsWith('.js'))).toBe(true);
    expect(urls.some((url) => url.endsWith('.css'))).toBe(true);
    for (const url of urls) {
      // No scheme, no host: relative to the page, so it can only come from this server.
      expect(url).toMatch(/^\.\/assets\/[\w.-]+$/);
      for (const page of ['/', '/graphql']) {
        const response = await fetch(new URL(url, `${stack.url}${page}`));
        expect(response.status, `${url} from ${page}`).toBe(200);
        expect(response.headers.get('content-security-policy')).toBe(GRAPHIQL_CSP);
        expect(response.headers.get('content-type')).toMatch(
          url.endsWith('.css') ? /^text\/css/ : /^(text|application)\/javascript/,
        );
        expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0);
      }
    }
  });

  it('leaves GraphQL over GET and POST to the GraphQL server', async () => {
    const get = await fetch(`${stack.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ data: { __typename: 'Query' } });
    const post = await stack.graphql('{ __typename }');
    expect(post.body).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('GRAPHIQL=false', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { GRAPHIQL: 'false' } });
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('serves no page and no assets, and GraphQL still answers', async () => {
    const root = await fetch(`${stack.url}/`, { headers: { accept: BROWSER_ACCEPT } });
    expect(root.status).toBe(404);
    const page = await fetch(`${stack.url}/graphql`, { headers: { accept: BROWSER_ACCEPT } });
    expect(page.headers.get('content-type') ?? '').not.toMatch(/^text\/html/);
    expect(await page.text()).not.toContain('id="graphiql"');
    const [asset] = assetUrls(requireBuiltPage());
    expect((await fetch(new URL(asset!, `${stack.url}/`))).status).toBe(404);

    const response = await stack.graphql(`{ refund(id: "${WOOSHPAY_USD_DOCS_EXAMPLE.id}") { id } }`);
    expect(response.body).toEqual({ data: { refund: { id: WOOSHPAY_USD_DOCS_EXAMPLE.id } } });
  });
});

describe('GRAPHIQL default', () => {
  it('is on outside production and off in production; GRAPHIQL overrides both ways', () => {
    expect(loadConfig({}).graphiql).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development' }).graphiql).toBe(true);
    expect(loadConfig({ GRAPHIQL: 'false' }).graphiql).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', ...CREDENTIALS }).graphiql).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', ...CREDENTIALS, GRAPHIQL: 'true' }).graphiql).toBe(true);
  });

  it('keeps introspection on wherever GraphiQL is on, so its docs explorer works', () => {
    expect(loadConfig({}).introspection).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', ...CREDENTIALS }).introspection).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', ...CREDENTIALS, GRAPHIQL: 'true' }).introspection).toBe(true);
  });

  it('serves no page from a production server by default', async () => {
    const stack = await startStack({ env: { NODE_ENV: 'production', ALLOW_WITHOUT_ROUTER_SECRET: 'true' } });
    try {
      expect((await fetch(`${stack.url}/`, { headers: { accept: BROWSER_ACCEPT } })).status).toBe(404);
    } finally {
      await stack.stop();
    }
  });
});

describe('saved example operations', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.stop();
  });

  type Row = Record<string, unknown> & {
    amount?: { currencyCode: string; decimal: string; minorUnits: number };
    status?: string;
  };

  async function run(query: string, variables?: string): Promise<Record<string, Row | Row[] | null>> {
    const parsed = variables === undefined ? undefined : (JSON.parse(variables) as Record<string, unknown>);
    const response = await stack.graphql<Record<string, Row | Row[] | null>>(query, parsed);
    expect(response.body.errors, query).toBeUndefined();
    return response.body.data ?? {};
  }

  it('opens with the default query as the first tab, and every tab runs against the sandbox seed without errors or nulls', async () => {
    expect(EXAMPLE_TABS[0]?.query).toBe(DEFAULT_QUERY);
    expect(EXAMPLE_TABS.map((tab) => /(?:query|mutation|subscription) (\w+)/.exec(tab.query)?.[1])).toEqual([
      'TwoProviders',
      'OneRefund',
      'ManyRefunds',
      'FailedRefunds',
      'MoneyInSeveralCurrencies',
      'CreateRefund',
      'WatchARefund',
      'RefundsOfAPayment',
      'RefundsThisWeekByDayAndCurrency',
      'PendingRefundsOlderThanADay',
    ]);
    for (const tab of EXAMPLE_TABS) {
      // Subscriptions run over WebSocket: test/browser/watch-a-refund.test.ts runs that tab.
      if (tab.query.includes('\nsubscription ')) continue;
      const data = await run(tab.query, tab.variables);
      for (const value of Object.values(data)) {
        const rows = Array.isArray(value) ? value : [value];
        expect(rows.length).toBeGreaterThan(0);
        for (const row of rows) expect(row, tab.query).not.toBeNull();
      }
    }
  });

  it('the default query shows both union members through their fragments', async () => {
    const data = await run(DEFAULT_QUERY);
    const rows = data.refunds as Array<{ details: { __typename: string } }>;
    expect(rows.map((row) => row.details.__typename)).toEqual(['WooshPayRefundDetails', 'EfundpayRefundDetails']);
  });

  it('FailedRefunds shows failed and declined refunds among a succeeded one', async () => {
    const data = await run(EXAMPLE_TABS.find((tab) => tab.query.includes('query FailedRefunds'))!.query);
    const rows = data.refunds as Row[];
    expect(rows.map((row) => [row.status, row.providerStatus])).toEqual([
      ['SUCCEEDED', 'succeeded'],
      ['FAILED', 'failed'],
      ['FAILED', 'failed'],
      ['FAILED', 'failed'],
      ['FAILED', 'declined'],
    ]);
  });

  it('MoneyInSeveralCurrencies shows currencies with 0, 3 and 2 decimals', async () => {
    const data = await run(EXAMPLE_TABS.find((tab) => tab.query.includes('query MoneyInSeveralCurrencies'))!.query);
    expect((data.refunds as Row[]).map((row) => row.amount)).toEqual([
      { minorUnits: 5000, currencyCode: 'JPY', decimal: '5000' },
      { minorUnits: 12345, currencyCode: 'KWD', decimal: '12.345' },
      { minorUnits: 2000, currencyCode: 'USD', decimal: '20.00' },
      { minorUnits: 1299, currencyCode: 'EUR', decimal: '12.99' },
    ]);
  });
});
