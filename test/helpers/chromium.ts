/**
 * Debian's chromium (never a downloaded browser), driven by playwright-core, for the browser tests:
 * one persistent context in a fresh profile, with every request, console error and
 * Content-Security-Policy violation on the page recorded. Fails with how to fix it when chromium or
 * the built GraphiQL page is missing: never skipped.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page, type Request } from 'playwright-core';
import { packageRoot } from '../../src/server/package-root.js';

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
export const BUILT_PAGE = join(packageRoot(), 'dist', 'graphiql', 'index.html');

/** Monaco renders spaces as U+00A0; compare text as a reader sees it. */
export const visibleText = (text: string | null) => (text ?? '').replace(/\u00a0/g, ' ');

export interface OpenBrowser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Every request the page made. */
  readonly requests: Request[];
  /** Console errors, CSP complaints and page errors, in order. */
  readonly consoleProblems: string[];
  close(): Promise<void>;
}

export async function openChromium(profilePrefix: string): Promise<OpenBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Expected Debian's chromium at ${CHROMIUM}, found none: install it with \`apt-get update && apt-get install -y chromium\` (.ci/run does this in CI)`,
    );
  }
  if (!existsSync(BUILT_PAGE)) {
    throw new Error(
      `Expected the built GraphiQL page at ${BUILT_PAGE}, found none: run \`npm run build:web\` first (\`npm test\` does)`,
    );
  }
  const userDataDir = mkdtempSync(join(tmpdir(), `${profilePrefix}-`));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1440, height: 900 },
  });
  const requests: Request[] = [];
  const consoleProblems: string[] = [];
  context.on('request', (request) => requests.push(request));
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (message) => {
    if (message.type() === 'error' || /Content[- ]Security[- ]Policy/i.test(message.text()))
      consoleProblems.push(message.text());
  });
  page.on('pageerror', (error) => consoleProblems.push(`page error: ${error.message}`));
  // Init scripts run outside the page's CSP, so this listener sees every violation.
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) =>
      seen.push(`${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  return {
    context,
    page,
    requests,
    consoleProblems,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
