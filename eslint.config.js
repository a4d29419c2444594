import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/*
 * Layer boundaries from docs/house-style.md, enforced here and proven by
 * test/unit/boundaries.test.ts (each rule rejects one bad import).
 */
const restrict = (regex, message) => ['error', { patterns: [{ regex, message }] }];
const RENDERER_BASE = {
  regex: '^electron(/|$)|^node:|(^|/)main/|(^|/)backend/(?!contract/)',
  message: 'renderer/ may use react, zustand and backend/contract only; it reaches the backend over HTTP and main through the bridge.',
};

/* Backend layers (issue #15 §1): a rule for a folder below keeps the Node-only rule of all backend/. */
const backendNodeOnly = {
  regex: '^electron(/|$)|(^|/)main/|(^|/)renderer/',
  message: 'backend/ is Node-only: it must not import electron, main/ or renderer/.',
};
const backendLayer = (regex, message) => ['error', { patterns: [backendNodeOnly, { regex, message }] }];

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
      'no-restricted-imports': ['error', { patterns: [backendNodeOnly] }],
    },
  },
  {
    files: ['backend/core/**/*.ts'],
    rules: {
      'no-restricted-imports': backendLayer(
        '^\\.\\./(?!(db|contract)/|(logging|errors)\\.js$)',
        'backend/core is the kernel: it may import only db/, contract/, logging.js, errors.js and other core files.',
      ),
    },
  },
  {
    files: ['backend/services/**/*.ts'],
    rules: {
      'no-restricted-imports': backendLayer(
        '(^|/)(lifecycle|diagnostics|http)/|(^|/)compose\\.js$',
        'services/ never imports lifecycle/ (nor diagnostics, http or the composition root): shared pieces live in core/, the wiring in compose.ts.',
      ),
    },
  },
  {
    files: ['backend/lifecycle/**/*.ts'],
    rules: {
      'no-restricted-imports': backendLayer(
        '(^|/)(services|diagnostics|http)/|(^|/)compose\\.js$',
        'lifecycle/ never imports services/ (nor diagnostics, http or the composition root): it asks for records through core/ports.ts.',
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
    rules: { 'no-restricted-imports': ['error', { patterns: [RENDERER_BASE] }] },
  },
  /*
   * The renderer cut by feature (docs/architecture.md, "The renderer"): model/ knows no React, ui/ knows
   * no feature, and a feature reaches another only through its index.ts. Each block repeats the base
   * pattern because a later block replaces the rule's options for the files it matches.
   */
  {
    files: ['renderer/src/model/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            RENDERER_BASE,
            {
              regex: '^(react|react-dom)(/|$)|^zustand(/react|$)|(^|/)(ui|features)(/|$)|(^|/)(app|start)(\\.js)?$',
              message: 'renderer/src/model is React-free: zod, zustand/vanilla, the contract and other model files only (Node-tested).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/src/ui/**/*.ts', 'renderer/src/ui/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            RENDERER_BASE,
            { regex: '(^|/)features(/|$)|(^|/)(app|start)(\\.js)?$', message: 'renderer/src/ui is the design system: it may use model/, never a feature or the shell.' },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/src/features/**/*.ts', 'renderer/src/features/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            RENDERER_BASE,
            {
              regex: '^\\.\\./[^./][^/]*/(?!index(\\.js)?$)',
              message: "A feature imports another feature only through its index.ts (import from '../<feature>').",
            },
            {
              regex: '^\\.\\./\\.\\./(?!model/|ui/|\\.\\./)',
              message: 'A feature may import model/, ui/, the contract and other features (by their index) only.',
            },
          ],
        },
      ],
    },
  },
);
