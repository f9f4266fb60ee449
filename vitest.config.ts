import { defineConfig } from 'vitest/config';

// Tests talk to real servers on loopback; files run in parallel, tests within a file in order.
export default defineConfig({
  root: '.',
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
