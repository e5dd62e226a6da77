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
