// Fails when src/__generated__/resolvers-types.ts is not what codegen makes of schema.graphql now.
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const file = 'src/__generated__/resolvers-types.ts';
const before = readFileSync(file, 'utf8');
execSync('npx graphql-codegen --config codegen.yml --silent', { stdio: 'inherit' });
const after = readFileSync(file, 'utf8');
if (before !== after) {
  console.error(`${file} was stale: it has been regenerated from schema.graphql; commit the result.`);
  process.exit(1);
}
console.log(`${file} is up to date with schema.graphql`);
