// Fails when src/__generated__/resolvers-types.ts is not what codegen makes of schema.graphql now.
// It generates into a temporary file with the same codegen.yml settings and compares: the committed
// file is never touched, so a failing check fails again until someone runs `npm run codegen`.
import { generate, loadCodegenConfig } from '@graphql-codegen/cli';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const committedFile = 'src/__generated__/resolvers-types.ts';
const { config } = await loadCodegenConfig({ configFilePath: 'codegen.yml' });
const outputConfig = config.generates[committedFile];
if (!outputConfig) {
  throw new Error(
    `Expected codegen.yml to generate ${committedFile}, found: ${Object.keys(config.generates).join(', ')}`,
  );
}

const scratch = mkdtempSync(join(tmpdir(), 'check-codegen-'));
try {
  const scratchFile = join(scratch, 'resolvers-types.ts');
  await generate({ ...config, generates: { [scratchFile]: outputConfig }, silent: true, cwd: process.cwd() }, true);
  if (readFileSync(scratchFile, 'utf8') !== readFileSync(committedFile, 'utf8')) {
    console.error(
      `${committedFile} is stale: it differs from what codegen makes of schema.graphql. Run \`npm run codegen\` and commit the result.`,
    );
    process.exitCode = 1;
  } else {
    console.log(`${committedFile} is up to date with schema.graphql`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
