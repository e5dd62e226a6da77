import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { ensureMoto } from '../../platform/local/moto';
import { freePort, waitForPort } from '../../platform/local/ports';

/** A running S3-compatible server (moto in server mode) with one bucket. */
export interface RunningS3Server {
  endpoint: string;
  bucket: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The hub settings that select the S3 store on this server. */
  env: Record<string, string>;
  /** A client of the server (the test's own view of the bucket). */
  client(): S3Client;
  stop(): Promise<void>;
}

/**
 * Starts moto's S3 server (pinned, from `.tools/moto-<version>/`, provisioned by
 * platform/local/provision.ts) on a free port of 127.0.0.1 and creates `bucket` in it. moto keeps
 * everything in memory: stopping it forgets every object.
 */
export async function startS3Server(options: { bucket?: string } = {}): Promise<RunningS3Server> {
  const { python } = await ensureMoto(() => undefined);
  const port = await freePort();
  const child: ChildProcess = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const exited = once(child, 'exit').then(() => {
    throw new Error(`moto exited before it listened:\n${output}`);
  });
  await Promise.race([waitForPort('127.0.0.1', port, 30_000), exited]);
  exited.catch(() => undefined);

  const endpoint = `http://127.0.0.1:${port}`;
  const bucket = options.bucket ?? 'hub-test-files';
  const region = 'us-east-1';
  const credentials = { accessKeyId: 'hub-test-access-key', secretAccessKey: 'hub-test-secret-key' };
  const client = () => new S3Client({ endpoint, region, forcePathStyle: true, credentials });
  const admin = client();
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
  admin.destroy();

  return {
    endpoint,
    bucket,
    region,
    credentials,
    env: {
      HUB_FILE_STORE: 's3',
      S3_BUCKET: bucket,
      S3_REGION: region,
      S3_ENDPOINT: endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      S3_ACCESS_KEY_ID: credentials.accessKeyId,
      S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    },
    client,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
