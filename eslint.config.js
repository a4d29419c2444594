import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/*
 * Layer boundaries from docs/house-style.md, enforced here and proven by
 * test/unit/boundaries.test.ts (each rule rejects one bad import).
 */
const restrict = (regex, message) => ['error', { patterns: [{ regex, message }] }];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.openclaw-test/**',
      'test-results/**',
      'playwright-report/**',
      'bench/results/**',
      'backend/db/migrations/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'smart'],
      'no-console': 'off',
    },
  },
  {
    files: ['scripts/**/*.mjs', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    files: ['backend/**/*.ts'],
    ignores: ['backend/contract/**'],
    rules: {
      'no-restricted-imports': restrict(
        '^electron(/|$)|(^|/)main/|(^|/)renderer/',
        'backend/ is Node-only: it must not import electron, main/ or renderer/.',
      ),
    },
  },
  {
    files: ['backend/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict('^(?!zod$|\\./)', 'backend/contract is pure: it may import only zod and other contract files.'),
    },
  },
  {
    files: ['main/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        '(^|/)renderer/|(^|/)backend/(?!index\\.js$|contract/)',
        'main/ talks to the backend only through backend/index.ts (and its contract).',
      ),
    },
  },
  {
    // One API client (#15 §4): the tray and the CLI call the API through backend/contract/client.ts.
    files: ['main/**/*.ts', 'backend/cli/**/*.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'fetch', message: 'Call the API through the one client (createRouteClient in backend/contract/client.ts).' },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': restrict(
        '^electron(/|$)|^node:|(^|/)main/|(^|/)backend/(?!contract/)',
        'renderer/ may use react, zustand and backend/contract only; it reaches the backend over HTTP and main through the bridge.',
      ),
    },
  },
);
