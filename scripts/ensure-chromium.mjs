// Runs first in `npm test`: the browser test drives Debian's Chromium at /usr/bin/chromium and is
// never skipped, so a machine without it either gets it now (as root: Debian's `chromium` package)
// or the run stops at once with the exact command to run, instead of failing minutes later.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
const INSTALL = 'apt-get update && apt-get install -y chromium';

if (!existsSync(CHROMIUM)) {
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    console.error(
      `Expected Chromium at ${CHROMIUM} for the browser test, found none. Install Debian's chromium as root, then run the tests again:\n  ${INSTALL}`,
    );
    process.exit(1);
  }
  console.log(`Chromium is missing at ${CHROMIUM}: installing Debian's chromium for the browser test (${INSTALL})…`);
  execSync(INSTALL, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (!existsSync(CHROMIUM)) {
    console.error(`Installed Debian's chromium but ${CHROMIUM} is still missing: check the apt-get output above.`);
    process.exit(1);
  }
}
