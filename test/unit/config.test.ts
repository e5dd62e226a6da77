import { ConfigError, durationMs, knownVariables, loadConfig } from '../../platform/config';

describe('platform/config', () => {
  it('applies defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: 'hub', HUB_DATA_DIR: '.data', TEMPORAL_UI_PORT: 8233 });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.TEMPORAL_ADDRESS).toBeUndefined();
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' }).PORT).toBe(3000);
  });

  it.each([
    ['DATABASE_URL', 'nonsense', /^Invalid configuration: DATABASE_URL must be a postgres:\/\//],
    ['DATABASE_URL', 'mysql://u:p@h/db', /^Invalid configuration: DATABASE_URL /],
    ['PORT', 'eighty', /^Invalid configuration: PORT /],
    ['PORT', '70000', /^Invalid configuration: PORT /],
    ['TEMPORAL_ADDRESS', 'no-port', /^Invalid configuration: TEMPORAL_ADDRESS must be host:port/],
    ['LOG_LEVEL', 'loud', /^Invalid configuration: LOG_LEVEL must be one of fatal, error/],
    ['HUB_ADMIN_TOKEN', 'short', /^Invalid configuration: HUB_ADMIN_TOKEN must be at least 32 characters$/],
    ['TEMPORAL_TLS', 'maybe', /^Invalid configuration: TEMPORAL_TLS must be one of .*true.*false/],
    ['WORKER_SHUTDOWN_GRACE', '30 seconds', /^Invalid configuration: WORKER_SHUTDOWN_GRACE must be a duration/],
  ])('rejects %s=%s with one line naming the variable', (variable, value, expected) => {
    let caught: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(expected);
    expect(error.message).not.toContain('\n');
    expect(error.message).not.toContain(value.length > 6 ? value : '\u0000');
  });

  it('refuses the process-wide network allowances in production, where ranges are granted per tenant', () => {
    expect(loadConfig({ HUB_NETWORK_ALLOWLIST: '10.20.0.0/16', HUB_ALLOW_INSECURE_HTTP: 'true' })).toMatchObject({
      HUB_NETWORK_ALLOWLIST: ['10.20.0.0/16'],
      HUB_ALLOW_INSECURE_HTTP: true,
    });
    for (const [variable, value] of [
      ['HUB_NETWORK_ALLOWLIST', '10.20.0.0/16'],
      ['HUB_ALLOW_INSECURE_HTTP', 'true'],
    ] as const) {
      let caught: unknown;
      try {
        loadConfig({ NODE_ENV: 'production', [variable]: value });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      expect(caught).toMatchObject({ variable, message: expect.stringMatching(new RegExp(`^Invalid configuration: ${variable} is for development only`)) });
    }
    expect((caught(() => loadConfig({ NODE_ENV: 'production', HUB_NETWORK_ALLOWLIST: '10.0.0.0/8' })) as Error).message).toContain(
      'PUT /v1/admin/tenants/:id/network-allowances',
    );
  });

  it('never echoes a value that may carry a password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres//user:s3cr3t@host/db' })).toThrow(ConfigError);
    try {
      loadConfig({ DATABASE_URL: 'postgres//user:s3cr3t@host/db' });
    } catch (error) {
      expect((error as Error).message).not.toContain('s3cr3t');
    }
  });

  it('takes the S3 file store settings only whole', () => {
    const failure = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (error) {
        return { variable: (error as ConfigError).variable, message: (error as Error).message };
      }
      return undefined;
    };
    expect(loadConfig({}).HUB_FILE_STORE).toBe('local');
    expect(failure({ HUB_FILE_STORE: 's3' })).toEqual({
      variable: 'S3_BUCKET',
      message: 'Invalid configuration: S3_BUCKET is required with HUB_FILE_STORE=s3',
    });
    expect(failure({ HUB_FILE_STORE: 's3', S3_BUCKET: 'Not_A_Bucket' })?.variable).toBe('S3_BUCKET');
    expect(failure({ HUB_FILE_STORE: 'gcs' })).toMatchObject({ variable: 'HUB_FILE_STORE', message: expect.stringContaining('must be one of local, s3') });
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const halfPair = failure({ HUB_FILE_STORE: 's3', S3_BUCKET: 'hub-files', S3_SECRET_ACCESS_KEY: secret });
    expect(halfPair?.variable).toBe('S3_ACCESS_KEY_ID');
    expect(halfPair?.message).not.toContain(secret);
    expect(failure({ HUB_FILE_STORE: 's3', S3_BUCKET: 'hub-files', S3_SSE: 'AES256', S3_SSE_KMS_KEY_ID: 'alias/hub' })?.variable).toBe('S3_SSE_KMS_KEY_ID');
    expect(failure({ HUB_FILE_STORE: 's3', S3_BUCKET: 'hub-files', S3_KEY_PREFIX: 'no-trailing-slash' })?.variable).toBe('S3_KEY_PREFIX');
    expect(failure({ S3_PRESIGNED_DOWNLOADS: 'true' })?.variable).toBe('S3_PRESIGNED_DOWNLOADS');
    expect(failure({ HUB_FILE_STORE: 's3', S3_BUCKET: 'hub-files', S3_PRESIGNED_EXPIRY: '2h' })?.variable).toBe('S3_PRESIGNED_EXPIRY');
    expect(
      loadConfig({
        HUB_FILE_STORE: 's3',
        S3_BUCKET: 'hub-files',
        S3_ENDPOINT: 'http://127.0.0.1:9000',
        S3_FORCE_PATH_STYLE: 'true',
        S3_KEY_PREFIX: 'hub/prod/',
        S3_SSE: 'aws:kms',
        S3_SSE_KMS_KEY_ID: 'alias/hub',
        S3_PRESIGNED_DOWNLOADS: 'true',
      }),
    ).toMatchObject({ S3_FORCE_PATH_STYLE: true, S3_KEY_PREFIX: 'hub/prod/', S3_SSE: 'aws:kms', S3_PRESIGNED_EXPIRY: '5m', S3_REGION: 'us-east-1' });
  });

  it('lists every variable it knows', () => {
    expect(knownVariables).toEqual(
      expect.arrayContaining(['DATABASE_URL', 'DATABASE_APP_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'HUB_ADMIN_TOKEN', 'PORT']),
    );
  });

  it('parses durations', () => {
    expect(durationMs('500ms')).toBe(500);
    expect(durationMs('30s')).toBe(30_000);
    expect(durationMs('15m')).toBe(900_000);
    expect(durationMs('2h')).toBe(7_200_000);
    expect(durationMs('7d')).toBe(604_800_000);
  });
});

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}
