import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../../platform/config';
import { assertProductionSecrets } from '../../platform/productionSecrets';

const COMPOSE_ADMIN_TOKEN = 'change-me-change-me-change-me-change-me';
const COMPOSE_MASTER_KEY = 'ZGV2LW9ubHktbWFzdGVyLWtleS1jaGFuZ2UtbWUhISE=';

/** A production configuration with real (random) secrets, as a deployment sets it. */
function production(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    HUB_ADMIN_TOKEN: randomBytes(36).toString('base64'),
    HUB_MASTER_KEY: randomBytes(32).toString('base64'),
    DATABASE_APP_URL: `postgres://hub_app:${randomBytes(18).toString('base64url')}@postgres:5432/hub`,
    TEMPORAL_ADDRESS: 'temporal:7233',
    ...overrides,
  };
}

function refusal(env: Record<string, string>, processName: 'api' | 'worker'): ConfigError | undefined {
  try {
    assertProductionSecrets(loadConfig(env), processName);
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

describe('production refuses development defaults', () => {
  it.each(['api', 'worker'] as const)('lets the %s start with random secrets and the app connection only', (processName) => {
    expect(refusal(production(), processName)).toBeUndefined();
  });

  it.each([
    ['api', { HUB_ADMIN_TOKEN: COMPOSE_ADMIN_TOKEN }, 'HUB_ADMIN_TOKEN', /is the development placeholder published in docker-compose\.yml/],
    ['api', { HUB_ADMIN_TOKEN: 'x'.repeat(40) }, 'HUB_ADMIN_TOKEN', /is not random/],
    ['api', { HUB_ADMIN_TOKEN: 'please-replace-me-with-a-real-admin-token' }, 'HUB_ADMIN_TOKEN', /is a placeholder/],
    ['api', { HUB_MASTER_KEY: COMPOSE_MASTER_KEY }, 'HUB_MASTER_KEY', /is the development placeholder published in docker-compose\.yml/],
    ['worker', { HUB_MASTER_KEY: COMPOSE_MASTER_KEY }, 'HUB_MASTER_KEY', /is the development placeholder/],
    ['worker', { HUB_MASTER_KEY: Buffer.from('my own very secret master key 32').toString('base64') }, 'HUB_MASTER_KEY', /is text, not 32 random bytes/],
    ['worker', { HUB_MASTER_KEY: Buffer.alloc(32).toString('base64') }, 'HUB_MASTER_KEY', /is not random/],
    ['worker', { HUB_MASTER_KEY_PREVIOUS: COMPOSE_MASTER_KEY }, 'HUB_MASTER_KEY_PREVIOUS', /published placeholder/],
    ['api', { DATABASE_URL: 'postgres://hub_owner:s3cr3t-owner-pw@postgres:5432/hub' }, 'DATABASE_URL', /owner connection.*only DATABASE_APP_URL/],
    ['worker', { DATABASE_URL: 'postgres://hub_owner:s3cr3t-owner-pw@postgres:5432/hub' }, 'DATABASE_URL', /owner connection/],
    ['worker', { DATABASE_APP_URL: 'postgres://hub_app:hub_app_dev_password@postgres:5432/hub' }, 'DATABASE_APP_URL', /development password/],
  ] as const)('refuses the %s with %j naming %s', (processName, overrides, variable, reason) => {
    const error = refusal(production(overrides), processName);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.variable).toBe(variable);
    expect(error!.message).toMatch(new RegExp(`^Refusing to start the ${processName} in production: ${variable} `));
    expect(error!.message).toMatch(reason);
    // The value itself is never echoed.
    for (const value of Object.values(overrides)) expect(error!.message).not.toContain(value);
  });

  it('leaves development and test alone (npm start and the tests use local values)', () => {
    for (const NODE_ENV of ['development', 'test']) {
      expect(refusal(production({ NODE_ENV, HUB_ADMIN_TOKEN: COMPOSE_ADMIN_TOKEN, HUB_MASTER_KEY: COMPOSE_MASTER_KEY }), 'api')).toBeUndefined();
    }
  });

  it('does not ask the worker for the admin token it never uses', () => {
    expect(refusal(production({ HUB_ADMIN_TOKEN: COMPOSE_ADMIN_TOKEN }), 'worker')).toBeUndefined();
  });
});
