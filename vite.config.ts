/**
 * Builds the self-hosted GraphiQL page (web/graphiql) into dist/graphiql, which
 * src/server/graphiql.ts serves. Nothing is loaded from a CDN: Monaco's workers are emitted as
 * same-origin files, as the page's Content-Security-Policy requires.
 *
 * Vitest reads this file when there is no vitest.config.ts, and would then look for tests
 * under web/graphiql only: the repo needs its own vitest.config.ts.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'web/graphiql',
  // Relative asset URLs: the page is served at both "/" and "/graphql", and "./assets/x.js"
  // resolves to "/assets/x.js" from either.
  base: './',
  publicDir: false,
  worker: { format: 'es' },
  build: {
    outDir: '../../dist/graphiql',
    emptyOutDir: true,
    // The server sends hashed files as immutable; everything lands under assets/.
    assetsDir: 'assets',
    // Inlined data: fonts and images are allowed by the CSP, but inlined scripts are not;
    // keep every asset a file so the page never depends on that.
    assetsInlineLimit: 0,
    // Monaco alone is about 2.8 MB minified; the page is for analysts, not a landing page.
    chunkSizeWarningLimit: 5000,
    rolldownOptions: {
      onwarn(warning, warn) {
        // GraphiQL's dependencies carry "use client" (React Server Components) and
        // "use no memo" (React Compiler) directives: hints for other tools, meaningless in
        // this client-only bundle, and rolldown warns once per module (hundreds of lines).
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE' && /"use (client|no memo)"/.test(warning.message)) return;
        warn(warning);
      },
    },
  },
});
