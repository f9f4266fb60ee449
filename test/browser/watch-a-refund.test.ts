/**
 * The GraphiQL "WatchARefund" tab in a real browser (Debian's chromium via playwright-core): it
 * subscribes over WebSocket on the page's own origin, shows the refund's current state, and then a
 * change as it happens; the Content-Security-Policy is never violated.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRefundId } from '../../src/providers/ids.js';
import { packageRoot } from '../../src/server/package-root.js';
import { startStack, type Stack } from '../helpers/stack.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const BUILT_PAGE = join(packageRoot(), 'dist', 'graphiql', 'index.html');
/** The pending sandbox refund the tab watches. */
const PENDING_REFUND = 'wooshpay:re_1787731200000000002';

const visibleText = (text: string | null) => (text ?? '').replace(/\u00a0/g, ' ');

describe('GraphiQL "WatchARefund" in chromium', () => {
  let stack: Stack;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  const consoleProblems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Expected Debian's chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\``);
    }
    if (!existsSync(BUILT_PAGE)) {
      throw new Error(`Expected the built GraphiQL page at ${BUILT_PAGE}: run \`npm run build:web\` first`);
    }
    stack = await startStack();
    userDataDir = mkdtempSync(join(tmpdir(), 'graphiql-watch-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: { width: 1440, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error' || /Content[- ]Security[- ]Policy/i.test(message.text()))
        consoleProblems.push(message.text());
    });
    page.on('pageerror', (error) => consoleProblems.push(`page error: ${error.message}`));
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (event) =>
        seen.push(`${event.violatedDirective} ${event.blockedURI}`),
      );
    });
  }, 90_000);

  afterAll(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await stack?.stop();
  });

  it('shows the refund’s current state, then the change as it happens', async () => {
    await page.goto(`${stack.url}/graphql`);
    await page.locator('.graphiql-query-editor .monaco-editor').waitFor({ timeout: 30_000 });
    await page.locator('.graphiql-tab', { hasText: 'WatchARefund' }).click();
    await expect
      .poll(() => page.locator('.graphiql-query-editor .view-lines').textContent().then(visibleText))
      .toContain('subscription WatchARefund');

    const opened = page.waitForEvent('websocket', { timeout: 30_000 });
    await page.locator('button.graphiql-execute-button').click();
    expect((await opened).url()).toBe(`${stack.url.replace('http', 'ws')}/graphql`);
    const result = page.locator('.graphiql-response .view-lines');
    await expect.poll(() => result.textContent().then(visibleText), { timeout: 15_000 }).toContain('"PENDING"');
    expect(visibleText(await result.textContent())).toContain(`"${PENDING_REFUND}"`);

    // The refund settles (as the change callback reports it): the tab shows it without another run.
    const [refund] = await stack.server.refundCache.readMany([parseRefundId(PENDING_REFUND)], { requestId: 'test' });
    if (!refund || refund instanceof Error) throw new Error('Expected the pending sandbox refund');
    stack.server.live.refundChanged({ ...refund, status: 'SUCCEEDED', providerStatus: 'succeeded' });
    await expect.poll(() => result.textContent().then(visibleText), { timeout: 15_000 }).toContain('"SUCCEEDED"');

    expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
    expect(consoleProblems).toEqual([]);
  });
});
