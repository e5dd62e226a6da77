/**
 * One jest run for unit, integration, e2e and replay tests. globalSetup starts one ephemeral
 * Postgres + Temporal dev server (the same local-stack code as `npm start`) for the whole run.
 *
 * Two projects: `hub` runs every test file (tenant files on the local store); `s3` runs the
 * file-touching integration files again with the S3 file store on a moto server (one per file,
 * started by test/setup/fileStoreSetup.ts). `--selectProjects hub` runs one pass only.
 * @type {import('jest').Config}
 */
const project = {
  rootDir: __dirname,
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
    // ESM-only packages (listed below) are compiled to CommonJS for jest; tsx and Node load them natively.
    '^.+/node_modules/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // fhir-kit-client@2 ships ESM only, with an `import`-only exports map that jest's CommonJS resolver skips.
  moduleNameMapper: { '^fhir-kit-client$': '<rootDir>/node_modules/fhir-kit-client/dist/index.js' },
  // openid-client@6 (with its own jose@6) and oauth4webapi ship ESM only as well.
  transformIgnorePatterns: ['^(?!.*/node_modules/openid-client/).*/node_modules/(?!fhir-kit-client/|oauth4webapi/)'],
  setupFilesAfterEnv: ['<rootDir>/test/setup/fileStoreSetup.ts'],
  testTimeout: 120_000,
};

/** The flows that read or write tenant files: uploads, imports (CSV, XLSX), exports and downloads, migrations, backups/restores, batch scans, quota and expiry. */
const fileTouchingTests = [
  'tenantFiles',
  'storageQuota',
  'userImport',
  'exportJobs',
  'exportFormats',
  'migrationJobs',
  'backupRestore',
  'backupConsistency',
  'batchScanJobs',
].map((name) => `<rootDir>/test/integration/${name}.test.ts`);

module.exports = {
  projects: [
    { ...project, displayName: 'hub', testMatch: ['**/*.test.ts'] },
    { ...project, displayName: 's3', testMatch: fileTouchingTests, setupFiles: ['<rootDir>/test/setup/selectS3FileStore.ts'] },
  ],
  globalSetup: '<rootDir>/test/setup/globalSetup.ts',
  globalTeardown: '<rootDir>/test/setup/globalTeardown.ts',
  testTimeout: 120_000,
  maxWorkers: 2,
  verbose: false,
};
