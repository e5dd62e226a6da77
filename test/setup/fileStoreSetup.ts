import { startS3Server, type RunningS3Server } from '../support/s3Server';

/**
 * Runs before every test file (setupFilesAfterEnv). With HUB_TEST_FILE_STORE=s3 (the `s3` jest
 * project sets it; a developer may too) the file gets its own S3-compatible server (moto) with a
 * bucket, and the S3 settings go into process.env: test hubs (test/support/hub.ts) and the worker
 * processes tests spawn read their config from there, so every file they touch is in the bucket.
 */
if (process.env.HUB_TEST_FILE_STORE === 's3') {
  let server: RunningS3Server | undefined;
  beforeAll(async () => {
    server = await startS3Server();
    // A key prefix and SSE-S3, as a shared production bucket would have them.
    Object.assign(process.env, server.env, { S3_KEY_PREFIX: 'hub-test/', S3_SSE: 'AES256' });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });
}
