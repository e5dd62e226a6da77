// @ts-check
const { builtinModules } = require('node:module');
const importX = require('eslint-plugin-import-x');
const tseslint = require('typescript-eslint');
const noImportCycle = require('./eslint-rules/noImportCycle');

/** Node built-ins, bare and `node:`-prefixed: workflow code must be deterministic and sandbox-safe. */
const nodeBuiltins = builtinModules.flatMap((name) => [name, `node:${name}`]);

module.exports = tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.data/**',
      '.tools/**',
      'coverage/**',
      'dist/**',
      'console/dist/**',
      'console/src/api/schema.d.ts',
      'eslint.config.js',
      'jest.config.js',
      'eslint-rules/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: __dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    // Workflows run in Temporal's deterministic sandbox: no Node built-ins, and activities,
    // connectors and platform code only as types (their values would run I/O during replay).
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code may not use Node built-ins (determinism).' })),
          patterns: [
            {
              group: [
                ...['activities', 'connectors', 'platform', 'api', 'worker', 'cli', 'bench', 'migrations', 'test'].flatMap((layer) => [
                  `**/${layer}`,
                  `**/${layer}/**`,
                ]),
              ],
              allowTypeImports: true,
              message:
                'Workflows import values only from workflows/ (the Temporal contracts in workflows/contracts); other layers as types only (import type …).',
            },
            { group: ['knex', 'pg', 'pg/*', 'express'], message: 'Workflows never do I/O; use an activity.' },
          ],
        },
      ],
    },
  },
  {
    // Import direction: platform/ at the bottom, then connectors/, activities/, workflows/, and
    // api/, worker/, cli/, bench/ on top. workflows/contracts sits below them all: it imports nothing of
    // the repository, so every layer may name Temporal things through it. Paths are resolved, so
    // platform/migrations is not mistaken for migrations/.
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    plugins: { 'import-x': importX.importX, hub: { rules: { 'no-import-cycle': noImportCycle } } },
    settings: { 'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.js', '.json'] })] },
    rules: {
      'hub/no-import-cycle': 'error',
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './platform',
              from: ['./api', './activities', './connectors', './worker', './cli', './bench', './migrations', './test'],
              message: 'platform/ is the bottom layer: it imports no other layer.',
            },
            {
              target: './platform',
              from: './workflows',
              except: ['./contracts'],
              message: 'platform/ imports only the Temporal contracts (workflows/contracts) of workflows/.',
            },
            {
              target: './connectors',
              from: ['./api', './activities', './worker', './cli', './bench', './migrations', './test'],
              message: 'connectors/ imports only platform/.',
            },
            {
              target: './connectors',
              from: './workflows',
              except: ['./contracts'],
              message: 'connectors/ imports only platform/ (and the Temporal contracts).',
            },
            {
              target: './activities',
              from: ['./api', './worker', './cli', './bench'],
              message: 'activities/ never imports api/ (or the processes above it); move what both need down to platform/.',
            },
            {
              target: './workflows/contracts',
              from: './',
              except: ['./workflows/contracts', './node_modules'],
              message: 'The Temporal contracts import nothing of the repository (every layer imports them).',
            },
            {
              target: './console/src',
              from: './',
              except: ['./console/src', './node_modules'],
              message:
                'The console is a browser app on the public API only: it imports nothing of the server (its API types are generated into console/src/api).',
            },
            {
              target: './bench',
              from: './api',
              except: ['./http'],
              message: 'bench/ drives the API over HTTP; shared code lives in platform/ (api/http helpers excepted).',
            },
          ],
        },
      ],
    },
  },
  {
    // Scripts that run before `npm ci` (prestart/pretest) are plain CommonJS on Node built-ins.
    files: ['scripts/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['cli/**/*.ts', 'bench/**/*.ts', 'platform/local/**/*.ts', 'platform/console/**/*.ts', 'migrations/run.ts', 'test/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
