// Runs the vitest suite and ends with one plain summary line ("tests: N passed, N failed", plus
// ", N skipped" when any), the form CI reads whatever the runner; exits with vitest's own code.
// "failed" counts failed tests, files and suites that failed on their own (import errors, hooks)
// and errors outside any test; a run that exits non-zero never prints "0 failed".
// Extra arguments go to vitest.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { SUMMARY_FILE } from './summary-reporter.mjs';

rmSync(SUMMARY_FILE, { force: true });
const run = spawnSync(
  'npx',
  ['vitest', 'run', '--reporter=default', '--reporter=./scripts/summary-reporter.mjs', ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
const status = run.status ?? 1;
const summary = existsSync(SUMMARY_FILE) ? JSON.parse(readFileSync(SUMMARY_FILE, 'utf8')) : undefined;
const passed = summary?.passed ?? 0;
const skipped = summary?.skipped ?? 0;
let failed = summary ? summary.failed + summary.failedFilesOrSuites + summary.unhandledErrors : 0;
let why = '';
if (!summary) {
  failed = 1;
  why = ' (vitest wrote no summary: see its output above)';
} else if (status !== 0 && failed === 0) {
  failed = 1;
  why = ` (vitest exited with code ${status} without a failed test: see its output above)`;
}
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}${why}`);
process.exit(status);
