// A vitest reporter that writes the run's counts to test-artifacts/test-summary.json for
// scripts/run-tests.mjs. A failure is a failed test, or a file or suite that failed on its own
// (it failed to import, or a beforeAll/afterAll hook threw), or an error vitest caught outside any
// test: each counts once, so a run that fails never reports 0 failed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const SUMMARY_FILE = 'test-artifacts/test-summary.json';

export default class SummaryReporter {
  onTestRunEnd(testModules, unhandledErrors, reason) {
    const counts = {
      passed: 0,
      failed: 0,
      skipped: 0,
      failedFilesOrSuites: 0,
      unhandledErrors: unhandledErrors.length,
    };
    for (const testModule of testModules) {
      for (const test of testModule.children.allTests()) {
        const { state } = test.result();
        if (state === 'passed') counts.passed += 1;
        else if (state === 'failed') counts.failed += 1;
        else counts.skipped += 1;
      }
      for (const suite of [testModule, ...testModule.children.allSuites()]) {
        if (suite.errors().length > 0) counts.failedFilesOrSuites += 1;
      }
    }
    mkdirSync(dirname(SUMMARY_FILE), { recursive: true });
    writeFileSync(SUMMARY_FILE, JSON.stringify({ ...counts, reason }));
  }
}
