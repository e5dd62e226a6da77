// @ts-check
const { builtinModules } = require('node:module');
const tseslint = require('typescript-eslint');

/** Node built-ins, bare and `node:`-prefixed: workflow code must be deterministic and sandbox-safe. */
const nodeBuiltins = builtinModules.flatMap((name) => [name, `node:${name}`]);

module.exports = tseslint.config(
  { ignores: ['node_modules/**', '.data/**', '.tools/**', 'coverage/**', 'dist/**', 'eslint.config.js', 'jest.config.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
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
              group: ['**/activities', '**/activities/**', '**/connectors', '**/connectors/**', '**/platform', '**/platform/**'],
              allowTypeImports: true,
              message: 'Workflows import activities, connectors and platform code as types only (import type …).',
            },
            { group: ['knex', 'pg', 'pg/*', 'express'], message: 'Workflows never do I/O; use an activity.' },
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
    files: ['cli/**/*.ts', 'bench/**/*.ts', 'platform/local/**/*.ts', 'migrations/run.ts', 'test/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
