/**
 * Serves the self-hosted GraphiQL page that `vite build` writes to dist/graphiql (sources in
 * web/graphiql). Nothing comes from a CDN, so the page runs under a strict
 * Content-Security-Policy.
 *
 * Mount this router before the GraphQL middleware: for a browser's `GET /graphql` it answers
 * with the page, and for any other `GET /graphql` it calls `next()` so the GraphQL server
 * answers. Apollo Server's own landing page loads from CDNs and must stay disabled.
 */
import { join, resolve } from 'node:path';

import express, { type RequestHandler, type Router } from 'express';

import { packageRoot } from '../package-root.js';

/**
 * The smallest policy GraphiQL 5 runs under without violations (the browser test checks that
 * none is reported). Monaco injects inline styles, hence `'unsafe-inline'` for
 * styles only; its workers are same-origin files, so no `blob:`; GraphiQL's CSS embeds fonts
 * and icons as `data:` URLs.
 */
export const GRAPHIQL_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': GRAPHIQL_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

const NOT_BUILT_MESSAGE =
  'The GraphiQL page has not been built (no index.html in its assets directory). ' +
  'Run `npm run build`, then reload.\n';

export interface GraphiqlRouterOptions {
  /**
   * The directory `vite build` wrote (holding index.html and assets/). Defaults to
   * dist/graphiql under the package root, found from this module's own location so that it
   * is the same whether this runs from src/ (tsx) or dist/src/ (compiled).
   */
  assetsDir?: string;
}

export function createGraphiqlRouter(options: GraphiqlRouterOptions = {}): Router {
  const assetsDir = resolve(options.assetsDir ?? defaultAssetsDir());
  // Strict routing: the page's asset URLs are relative ("./assets/..."), which resolve to
  // /assets/... from "/" and "/graphql" but to /graphql/assets/... from "/graphql/".
  const router = express.Router({ strict: true });

  const setSecurityHeaders: RequestHandler = (_req, res, next) => {
    res.set(SECURITY_HEADERS);
    next();
  };

  // index.html is read on every request (it is under 1 kB), so a rebuild shows up on reload
  // and the hashed asset names it points at are always current; hence no-cache (revalidate
  // with the ETag) rather than a max-age.
  const sendPage: RequestHandler = (_req, res, next) => {
    res.set(SECURITY_HEADERS);
    res.set('Cache-Control', 'no-cache');
    res.sendFile('index.html', { root: assetsDir, cacheControl: false, dotfiles: 'deny' }, (error) => {
      if (!error || res.headersSent) return;
      if (isNotFound(error)) {
        res.status(503).type('text/plain').send(NOT_BUILT_MESSAGE);
        return;
      }
      next(error);
    });
  };

  router.get('/', sendPage);
  router.get('/graphql', (req, res, next) => {
    if (prefersHtml(req)) {
      sendPage(req, res, next);
      return;
    }
    next();
  });

  router.get('/graphql/', (req, res, next) => {
    if (!prefersHtml(req)) {
      next();
      return;
    }
    const query = req.originalUrl.indexOf('?');
    res.redirect(308, `/graphql${query === -1 ? '' : req.originalUrl.slice(query)}`);
  });

  // Everything vite emits under assets/ has a content hash in its name (vite's default
  // `[name]-[hash][extname]`), so it can be cached forever. The worker scripts get the CSP
  // too, which is the policy a worker loaded from a same-origin URL runs under.
  router.use(
    '/assets',
    setSecurityHeaders,
    express.static(join(assetsDir, 'assets'), {
      index: false,
      redirect: false,
      dotfiles: 'ignore',
      immutable: true,
      maxAge: '365d',
    }),
    (req, res) => {
      res.status(404).type('text/plain').send(`No GraphiQL asset at ${req.originalUrl}\n`);
    },
  );

  return router;
}

/**
 * True when the client lists text/html ahead of the GraphQL response types, as browsers
 * navigating to a URL do. A client sending no Accept header, or only a wildcard, is treated as
 * a GraphQL client, because `req.accepts` then picks the first type offered.
 */
function prefersHtml(req: express.Request): boolean {
  return req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
}

function isNotFound(error: Error): boolean {
  const { status, code } = error as Error & { status?: number; code?: string };
  return status === 404 || code === 'ENOENT' || code === 'ENOTDIR';
}

/** dist/graphiql under the nearest ancestor of this module that holds a package.json. */
function defaultAssetsDir(): string {
  return join(packageRoot(), 'dist', 'graphiql');
}
