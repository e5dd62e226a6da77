// setupFiles of the `s3` jest project: its test files run with the S3 file store (see fileStoreSetup.ts).
process.env.HUB_TEST_FILE_STORE = 's3';
