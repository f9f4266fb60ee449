// ESLint 9 flat config: typescript-eslint's type-aware recommended and stylistic rules for the
// TypeScript (server, tests, bench, the GraphiQL page), plain recommended rules for the JavaScript
// build scripts, and eslint-config-prettier last so formatting is left to Prettier alone.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['dist/', 'coverage/', 'test-artifacts/', 'src/__generated__/']),
  js.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.recommendedTypeChecked, tseslint.configs.stylisticTypeChecked],
    languageOptions: {
      parserOptions: {
        // Each file is checked with the tsconfig that builds it (tsconfig.json, web/tsconfig.json).
        projectService: { allowDefaultProject: ['vite.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // T[] for simple element types, Array<{ … }> where the element type is a literal or union.
      '@typescript-eslint/array-type': ['error', { default: 'array-simple' }],
      // Off: Apollo Server's plugin hooks must return promises, and `async` without `await` is the plain way to do it.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // The Node globals the build scripts use (the `globals` package is not a direct dependency).
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
  prettier,
);
