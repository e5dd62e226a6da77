/**
 * One jest run for unit, integration, e2e and replay tests. globalSetup starts one ephemeral
 * Postgres + Temporal dev server (the same local-stack code as `npm start`) for the whole run.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  globalSetup: '<rootDir>/test/setup/globalSetup.ts',
  globalTeardown: '<rootDir>/test/setup/globalTeardown.ts',
  testTimeout: 120_000,
  maxWorkers: 2,
  verbose: false,
};
