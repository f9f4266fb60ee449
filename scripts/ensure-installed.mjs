// Runs before `npm start` and `npm test` (and from .ci/run with `--always`): installs the locked
// dependencies when node_modules is missing or older than package-lock.json, so both README commands
// work on a fresh clone.
//
// The project runs on the Node 24 that the `node` devDependency puts in node_modules/.bin. The
// install itself runs under Node 24 too, so npm checks the dependencies' `engines` against the Node
// that will run them: several ask for Node >= 22, and an install under the system's Node 20 would
// print a screen of EBADENGINE warnings about a runtime the project never uses. npm 11 has no setting
// for the Node version it checks engines against (it always takes its own process.version), so on a
// fresh clone, where no Node 24 exists yet, this script first installs the locked `node` package
// into a temporary folder and runs `npm ci` with that Node first on PATH.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

const RUNTIME_MAJOR = 24;
const marker = 'node_modules/.package-lock.json';
const always = process.argv.includes('--always');
const stale = !existsSync(marker) || statSync('package-lock.json').mtimeMs - statSync(marker).mtimeMs > 1000;
const major = (version) => Number(/^v?(\d+)/.exec(version)?.[1] ?? 0);
const projectBin = resolve('node_modules/.bin');
const projectNode = join(projectBin, 'node');
const projectNodeMajor = () =>
  existsSync(projectNode) ? major(execFileSync(projectNode, ['--version'], { encoding: 'utf8' })) : 0;

if (always || stale) install();
// Without it every npm script would quietly fall back to the system's Node.
if (projectNodeMajor() < RUNTIME_MAJOR) {
  console.error(
    `Expected Node ${RUNTIME_MAJOR} at ${projectNode} (put there by the \`node\` devDependency's install script, which package.json's allowScripts allows), found ${existsSync(projectNode) ? 'another version' : 'none'}: run \`rm -rf node_modules && npm start\` to reinstall.`,
  );
  process.exit(1);
}

function install() {
  const withPath = (dir) => ({ ...process.env, PATH: `${dir}${delimiter}${process.env.PATH ?? ''}` });
  const npm = (args, options) => execFileSync('npm', args, { stdio: 'inherit', ...options });
  const ciArgs = ['ci', '--no-audit', '--no-fund'];

  if (major(process.version) >= RUNTIME_MAJOR) {
    console.log(`Installing dependencies (npm ci on Node ${process.version})…`);
    npm(ciArgs);
  } else if (projectNodeMajor() >= RUNTIME_MAJOR) {
    // Still there from the last install: npm ci deletes node_modules, but the running binary stays valid.
    console.log('Installing dependencies (npm ci on the Node 24 in node_modules/.bin)…');
    npm(ciArgs, { env: withPath(projectBin) });
  } else {
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
    const version = lock.packages?.['node_modules/node']?.version;
    if (!version) throw new Error('Expected the `node` package in package-lock.json (the project runtime), found none');
    const bootstrap = mkdtempSync(join(tmpdir(), 'refunds-node-'));
    try {
      console.log(`Installing dependencies: first Node ${version} (the project runtime), then npm ci on it…`);
      // Its own tiny project, so the approval of the `node` package's install script is declared, not forced.
      writeFileSync(
        join(bootstrap, 'package.json'),
        JSON.stringify({ private: true, allowScripts: { [`node@${version}`]: true } }),
      );
      npm(['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `node@${version}`], {
        cwd: bootstrap,
      });
      npm(ciArgs, { env: withPath(join(bootstrap, 'node_modules', '.bin')) });
    } finally {
      rmSync(bootstrap, { recursive: true, force: true });
    }
  }
}
