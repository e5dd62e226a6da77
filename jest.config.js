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
    // ESM-only packages (listed below) are compiled to CommonJS for jest; tsx and Node load them natively.
    '^.+/node_modules/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // fhir-kit-client@2 ships ESM only, with an `import`-only exports map that jest's CommonJS resolver skips.
  moduleNameMapper: { '^fhir-kit-client$': '<rootDir>/node_modules/fhir-kit-client/dist/index.js' },
  transformIgnorePatterns: ['/node_modules/(?!fhir-kit-client/)'],
  globalSetup: '<rootDir>/test/setup/globalSetup.ts',
  globalTeardown: '<rootDir>/test/setup/globalTeardown.ts',
  testTimeout: 120_000,
  maxWorkers: 2,
  verbose: false,
};
