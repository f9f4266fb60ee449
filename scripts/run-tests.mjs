// Runs the vitest suite and ends with one plain summary line ("tests: N passed, N failed"), the
// form CI reads whatever the runner; exits with vitest's own code. Extra arguments go to vitest.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const results = 'test-artifacts/vitest-results.json';
mkdirSync('test-artifacts', { recursive: true });
rmSync(results, { force: true });
const run = spawnSync(
  'npx',
  ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${results}`, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
if (existsSync(results)) {
  const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = JSON.parse(readFileSync(results, 'utf8'));
  const skipped = numPendingTests + numTodoTests;
  console.log(`tests: ${numPassedTests} passed, ${numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
} else {
  console.log('tests: 0 passed, 1 failed (vitest wrote no results)');
}
process.exit(run.status ?? 1);
