// Flat config: typescript-eslint's recommended type-aware rules over every TypeScript source.
// It lives in .ci/ to keep the project's top level to the agreed set; `npm run lint` passes it with --config.
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

export default tseslint.config(
  // .stryker-tmp holds whole-project sandbox copies while a mutation run lasts; reports/ its output.
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.ci/**', '.stryker-tmp/**', 'reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: projectRoot },
    },
    rules: {
      // node:test's describe/it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
