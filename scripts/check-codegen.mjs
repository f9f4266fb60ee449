// Fails when any file codegen.yml generates (src/__generated__/*) is not what codegen makes of
// schema.graphql now. It generates every output into a temporary folder with the same codegen.yml
// settings and compares each with the committed file: the committed files are never touched, so a
// failing check fails again until someone runs `npm run codegen`.
import { generate, loadCodegenConfig } from '@graphql-codegen/cli';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

const { config } = await loadCodegenConfig({ configFilePath: 'codegen.yml' });
const committedFiles = Object.keys(config.generates);
if (committedFiles.length === 0) throw new Error('Expected codegen.yml to generate at least one file, found none');

const scratch = mkdtempSync(join(tmpdir(), 'check-codegen-'));
try {
  const scratchFiles = new Map(
    committedFiles.map((file, index) => [file, join(scratch, `${index}-${basename(file)}`)]),
  );
  const generates = Object.fromEntries(committedFiles.map((file) => [scratchFiles.get(file), config.generates[file]]));
  await generate({ ...config, generates, silent: true, cwd: process.cwd() }, true);
  const stale = committedFiles.filter(
    (file) => !existsSync(file) || readFileSync(scratchFiles.get(file), 'utf8') !== readFileSync(file, 'utf8'),
  );
  if (stale.length > 0) {
    console.error(
      `Stale generated files: ${stale.join(', ')} differ from what codegen makes of schema.graphql. Run \`npm run codegen\` and commit the result.`,
    );
    process.exitCode = 1;
  } else {
    console.log(`${committedFiles.join(', ')} are up to date with schema.graphql`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
