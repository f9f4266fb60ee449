/**
 * The GraphiQL "WatchARefund" tab in a real browser (Debian's chromium via playwright-core): it
 * subscribes over WebSocket on the page's own origin, shows the refund's current state, and then a
 * change as it happens; the Content-Security-Policy is never violated.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRefundId } from '../../src/providers/ids.js';
import { openChromium, visibleText, type OpenBrowser } from '../helpers/chromium.js';
import { startStack, type Stack } from '../helpers/stack.js';

/** The pending sandbox refund the tab watches. */
const PENDING_REFUND = 'wooshpay:re_1787731200000000002';

describe('GraphiQL "WatchARefund" in chromium', () => {
  let stack: Stack;
  let page: Page;
  let browser: OpenBrowser | undefined;
  let consoleProblems: string[] = [];

  beforeAll(async () => {
    stack = await startStack();
    browser = await openChromium('graphiql-watch');
    ({ page, consoleProblems } = browser);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
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
    // The ledger's first record of the refund (PENDING, from the subscription's own read) is a
    // change too: on a busy machine it could otherwise reach the tab after the settled state.
    await stack.server.flushLedger();
    stack.server.live.refundChanged({ ...refund, status: 'SUCCEEDED', providerStatus: 'succeeded' });
    await expect.poll(() => result.textContent().then(visibleText), { timeout: 15_000 }).toContain('"SUCCEEDED"');

    expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
    expect(consoleProblems).toEqual([]);
  });
});
