// `npm run check`: every static check, each run even when an earlier one fails, so one run shows
// everything to fix; exits non-zero when any failed and names them.
import { spawnSync } from 'node:child_process';

const steps = [
  ['format', 'npm run -s check:format'],
  ['layers', 'npm run -s check:layers'],
  ['codegen', 'npm run -s check:codegen'],
  ['typecheck', 'npm run -s typecheck'],
  ['lint', 'npm run -s lint'],
];
const failed = [];
for (const [name, command] of steps) {
  console.log(`\n> check ${name}: ${command}`);
  const { status } = spawnSync(command, { stdio: 'inherit', shell: true });
  if (status !== 0) failed.push(name);
}
if (failed.length > 0) {
  console.error(`\ncheck failed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log('\ncheck passed: format, layers, codegen, typecheck, lint');
