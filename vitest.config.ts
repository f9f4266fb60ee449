import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// Tests talk to real servers on loopback; files run in parallel, tests within a file in order.
export default defineConfig({
  root: '.',
  resolve: {
    // graphql 16 ships CommonJS (main) and ESM (module) copies. Node, and so Apollo Server and
    // @apollo/subgraph, load the CommonJS one; vite would hand our own modules the ESM one, and
    // two copies of graphql reject each other's types ("Cannot use GraphQLNonNull from another
    // module or realm"). Resolve ours to the same file Node does.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // global.gc for tests that measure the heap after a full collection (test/ops/sandbox-memory.test.ts).
    execArgv: ['--expose-gc'],
    reporters: ['default'],
  },
});
