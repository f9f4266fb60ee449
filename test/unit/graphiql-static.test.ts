import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createGraphiqlRouter, GRAPHIQL_CSP } from '../../src/server/http/graphiql.js';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const PAGE =
  '<!doctype html><title>stand-in GraphiQL</title><script type="module" src="./assets/index-AbC123.js"></script>';

/** Serves the router over a real loopback HTTP server, with a stand-in GraphQL handler after it. */
async function listen(assetsDir: string): Promise<{ url: string; server: Server }> {
  const app = express();
  app.use(createGraphiqlRouter({ assetsDir }));
  app.get('/graphql', (_req, res) => {
    res.json({ answeredBy: 'graphql' });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((done) => server.once('listening', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function expectSecurityHeaders(response: Response): void {
  expect(response.headers.get('content-security-policy')).toBe(GRAPHIQL_CSP);
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
}

describe('GraphiQL page router', () => {
  const dirs: string[] = [];
  const servers: Server[] = [];
  let built: string;
  let unbuilt: string;

  beforeAll(async () => {
    const builtDir = mkdtempSync(join(tmpdir(), 'graphiql-built-'));
    mkdirSync(join(builtDir, 'assets'));
    writeFileSync(join(builtDir, 'index.html'), PAGE);
    writeFileSync(join(builtDir, 'assets', 'index-AbC123.js'), 'export {};\n');
    const emptyDir = mkdtempSync(join(tmpdir(), 'graphiql-unbuilt-'));
    dirs.push(builtDir, emptyDir);
    for (const [dir, assign] of [
      [builtDir, (url: string) => (built = url)],
      [emptyDir, (url: string) => (unbuilt = url)],
    ] as const) {
      const { url, server } = await listen(dir);
      servers.push(server);
      assign(url);
    }
  });

  afterAll(() => {
    for (const server of servers) server.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('serves the page at / with the CSP and no-cache', async () => {
    const response = await fetch(`${built}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expectSecurityHeaders(response);
    expect(await response.text()).toBe(PAGE);
  });

  it('serves the page at /graphql to a browser, and leaves other GET /graphql to the GraphQL server', async () => {
    const browser = await fetch(`${built}/graphql`, { headers: { accept: BROWSER_ACCEPT } });
    expect(browser.status).toBe(200);
    expect(await browser.text()).toBe(PAGE);

    for (const accept of ['application/json', 'application/graphql-response+json', '*/*']) {
      const client = await fetch(`${built}/graphql?query=%7B__typename%7D`, { headers: { accept } });
      expect(await client.json(), `Accept: ${accept}`).toEqual({ answeredBy: 'graphql' });
    }
  });

  it('redirects a browser from /graphql/ to /graphql, where the relative asset URLs resolve', async () => {
    const response = await fetch(`${built}/graphql/?query=%7B__typename%7D`, {
      headers: { accept: BROWSER_ACCEPT },
      redirect: 'manual',
    });
    expect(response.status).toBe(308);
    expect(response.headers.get('location')).toBe('/graphql?query=%7B__typename%7D');
  });

  it('serves hashed assets with their content type, immutable caching and the security headers', async () => {
    const response = await fetch(`${built}/assets/index-AbC123.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expectSecurityHeaders(response);
  });

  it('answers a missing asset with a plain-text 404', async () => {
    const response = await fetch(`${built}/assets/missing-123.js`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toBe('No GraphiQL asset at /assets/missing-123.js\n');
  });

  it('answers 503 telling how to build when the bundle has not been built', async () => {
    for (const [path, headers] of [
      ['/', {}],
      ['/graphql', { accept: BROWSER_ACCEPT }],
    ] as const) {
      const response = await fetch(`${unbuilt}${path}`, { headers });
      expect(response.status, path).toBe(503);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await response.text()).toContain('Run `npm run build`');
    }
  });
});
