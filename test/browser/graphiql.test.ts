/**
 * GraphiQL in a real browser: Debian's chromium (never a downloaded browser), driven by
 * playwright-core, opens the self-hosted page on a running subgraph, runs the example query and
 * shows the refunds; nothing leaves 127.0.0.1 and the Content-Security-Policy is never violated;
 * the docs explorer shows the described schema. A screenshot goes to test-artifacts/graphiql.png.
 *
 * Never skipped: without chromium or without the built page it fails, saying how to fix it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/server/package-root.js';
import { openChromium, visibleText, type OpenBrowser } from '../helpers/chromium.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { EFUNDPAY_EUR_DOCS_EXAMPLE, WOOSHPAY_USD_SPEC_EXAMPLE } from '../fixtures/sandbox-refunds.js';

const ARTIFACTS = join(packageRoot(), 'test-artifacts');

describe('GraphiQL in chromium', () => {
  let stack: Stack;
  let context: BrowserContext;
  let page: Page;
  let browser: OpenBrowser | undefined;
  let requests: Request[] = [];
  let consoleProblems: string[] = [];

  beforeAll(async () => {
    stack = await startStack();
    browser = await openChromium('graphiql-chromium');
    ({ context, page, requests, consoleProblems } = browser);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('runs the example query and shows the refunds in the result panel', async () => {
    await page.goto(`${stack.url}/graphql`);
    await page.locator('.graphiql-query-editor .monaco-editor').waitFor({ timeout: 30_000 });
    await expect
      .poll(() => page.locator('.graphiql-query-editor .view-lines').textContent().then(visibleText))
      .toContain('query TwoProviders');

    const answered = page.waitForResponse(
      (response) =>
        response.url() === `${stack.url}/graphql` &&
        response.request().method() === 'POST' &&
        (response.request().postData() ?? '').includes('TwoProviders'),
      { timeout: 30_000 },
    );
    await page.locator('button.graphiql-execute-button').click();
    const response = await answered;
    expect(response.status()).toBe(200);
    const body = (await response.json()) as {
      data?: { refunds: Array<{ id: string; details: { __typename: string } } | null> };
      errors?: unknown;
    };
    expect(body.errors).toBeUndefined();
    expect(body.data?.refunds.map((refund) => [refund?.id, refund?.details.__typename])).toEqual([
      [WOOSHPAY_USD_SPEC_EXAMPLE.id, 'WooshPayRefundDetails'],
      [EFUNDPAY_EUR_DOCS_EXAMPLE.id, 'EfundpayRefundDetails'],
    ]);

    // Monaco renders only the lines in view: the top of the result is enough to prove it is shown.
    const result = page.locator('.graphiql-response .view-lines');
    await expect.poll(() => result.textContent().then(visibleText), { timeout: 15_000 }).toContain('"data"');
    const shown = visibleText(await result.textContent());
    expect(shown).toContain('"refunds"');
    expect(shown).toContain(`"${WOOSHPAY_USD_SPEC_EXAMPLE.id}"`);
    expect(shown).toContain('"WOOSHPAY"');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'graphiql.png') });
  });

  it('shows the described schema in the docs explorer', async () => {
    await page.locator('button[aria-label="Show Documentation Explorer"]').click();
    const explorer = page.locator('.graphiql-doc-explorer');
    await explorer.locator('a.graphiql-doc-explorer-type-name', { hasText: /^Query$/ }).click();
    await explorer.locator('a.graphiql-doc-explorer-field-name', { hasText: /^refund$/ }).click();
    await explorer
      .locator('a.graphiql-doc-explorer-type-name', { hasText: /^Refund$/ })
      .first()
      .click();
    await expect.poll(() => explorer.locator('.graphiql-doc-explorer-title').textContent()).toBe('Refund');
    await expect
      .poll(() => explorer.locator('.graphiql-doc-explorer-content').textContent())
      .toContain('A refund issued by one of the payment providers, with provider-neutral common fields');
    await page.screenshot({ path: join(ARTIFACTS, 'graphiql-docs.png') });
  });

  it('sends Router-Authorization from the headers editor to a subgraph that requires it', async () => {
    const routerSecret = 'browser-router-secret-0123456789abcdef';
    const guarded = await startStack({ env: { ROUTER_SECRET: routerSecret } });
    const guardedPage = await context.newPage();
    try {
      guardedPage.on('request', (request) => requests.push(request));
      await guardedPage.goto(`${guarded.url}/graphql`);
      await guardedPage.locator('.graphiql-query-editor .monaco-editor').waitFor({ timeout: 30_000 });
      const run = async () => {
        const answered = guardedPage.waitForResponse(
          (response) =>
            response.url() === `${guarded.url}/graphql` &&
            (response.request().postData() ?? '').includes('TwoProviders'),
          { timeout: 30_000 },
        );
        await guardedPage.locator('button.graphiql-execute-button').click();
        return answered;
      };

      const refused = await run();
      expect(refused.status()).toBe(401);

      // The headers editor (the tool shown, the variables editor is hidden) opens with only
      // comments; replace them with the header.
      await guardedPage.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .monaco-editor').click();
      await guardedPage.keyboard.press('ControlOrMeta+A');
      await guardedPage.keyboard.press('Delete');
      await guardedPage.keyboard.insertText(`{"Router-Authorization": "${routerSecret}"}`);
      const accepted = await run();
      expect(accepted.status()).toBe(200);
      expect(accepted.request().headers()['router-authorization']).toBe(routerSecret);
      const body = (await accepted.json()) as { data?: { refunds: unknown[] } };
      expect(body.data?.refunds).toHaveLength(2);
    } finally {
      await guardedPage.close();
      await guarded.stop();
    }
  });

  it('loaded everything from the subgraph itself, with no CSP violation or console error', async () => {
    const outside = requests
      .map((request) => request.url())
      .filter((url) => !url.startsWith('http://127.0.0.1:') && !url.startsWith('data:'));
    expect(outside, 'requests that left the subgraph').toEqual([]);
    expect(requests.length).toBeGreaterThan(2);
    expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
    expect(consoleProblems).toEqual([]);
  });
});
