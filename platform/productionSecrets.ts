import { ConfigError, type HubConfig } from './config';

/**
 * Values published in this repository (docker-compose.yml) or otherwise known to be development
 * defaults. Anyone who read the repository knows them, so a production process must not run with
 * them: with the admin token they administer every tenant, with the master key they open every
 * connector credential and workflow payload.
 */
const PUBLISHED_SECRETS: Readonly<Record<string, readonly string[]>> = {
  HUB_ADMIN_TOKEN: ['change-me-change-me-change-me-change-me'],
  HUB_MASTER_KEY: ['ZGV2LW9ubHktbWFzdGVyLWtleS1jaGFuZ2UtbWUhISE='],
  DATABASE_APP_PASSWORD: ['hub_app_dev_password', 'hub_owner_dev_password'],
};

/** Words that mark a value someone was meant to replace. */
const PLACEHOLDER_WORDS = /change-?me|changeit|placeholder|replace-?me|example|dev[-_]?only|not-?a-?secret|secret123|password123/i;

/** Why a secret is not one (a sentence fragment), or null when nothing gives it away. */
function weakness(variable: string, value: string): string | null {
  if (PUBLISHED_SECRETS[variable]?.includes(value)) return 'is the development placeholder published in docker-compose.yml';
  if (PLACEHOLDER_WORDS.test(value)) return 'is a placeholder';
  // A random token of 32+ characters uses many distinct characters; "xxxx…" or "abab…" do not.
  if (new Set(value).size < 8) return 'is not random (too few distinct characters)';
  return null;
}

/**
 * A master key is 32 random bytes; bytes that are all printable text (a phrase in base64, such as
 * the compose placeholder) occur by chance with probability about 10^-14, so they mean a made-up key.
 */
function masterKeyWeakness(base64: string): string | null {
  const published = weakness('HUB_MASTER_KEY', base64);
  if (published) return published;
  const bytes = Buffer.from(base64, 'base64');
  if ([...bytes].every((byte) => byte >= 0x20 && byte < 0x7f)) return 'is text, not 32 random bytes';
  if (new Set(bytes).size < 16) return 'is not random (too few distinct bytes)';
  return null;
}

function urlPassword(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Refuses to let the API or the worker start in production with a development default: the
 * placeholder admin token, master key and database passwords of docker-compose.yml (or anything
 * that looks made up), or the owner connection (`DATABASE_URL`), which a long-running process
 * does not need (migrations run as their own one-shot process). Outside production it does
 * nothing: `npm start` and the tests use generated or fixed local values. Throws a
 * {@link ConfigError}, whose one line names the variable (never its value).
 */
export function assertProductionSecrets(config: HubConfig, processName: 'api' | 'worker'): void {
  if (config.NODE_ENV !== 'production') return;
  const refuse = (variable: string, reason: string, fix: string) => {
    throw new ConfigError(`Refusing to start the ${processName} in production: ${variable} ${reason}; ${fix}`, variable);
  };
  if (config.HUB_ADMIN_TOKEN && processName === 'api') {
    const reason = weakness('HUB_ADMIN_TOKEN', config.HUB_ADMIN_TOKEN);
    if (reason) refuse('HUB_ADMIN_TOKEN', reason, 'set a secret one (openssl rand -base64 36)');
  }
  if (config.HUB_MASTER_KEY) {
    const reason = masterKeyWeakness(config.HUB_MASTER_KEY);
    if (reason) refuse('HUB_MASTER_KEY', reason, 'set a random one (openssl rand -base64 32)');
  }
  for (const [index, previous] of config.HUB_MASTER_KEY_PREVIOUS.entries()) {
    // A published key in the rotation list still opens what was sealed under it.
    if (weakness('HUB_MASTER_KEY', previous))
      refuse('HUB_MASTER_KEY_PREVIOUS', `entry ${index + 1} is the published placeholder`, 'run vault:rotate and drop it');
  }
  if (config.DATABASE_URL) {
    refuse('DATABASE_URL', 'is set (the owner connection)', 'give the API and worker only DATABASE_APP_URL; the owner URL is for `npm run migrate`');
  }
  const appPassword = urlPassword(config.DATABASE_APP_URL) ?? config.DATABASE_APP_PASSWORD;
  if (appPassword && PUBLISHED_SECRETS.DATABASE_APP_PASSWORD!.includes(appPassword)) {
    refuse(
      'DATABASE_APP_URL',
      'carries the development password published in docker-compose.yml',
      'set a secret DATABASE_APP_PASSWORD for migrations and use it here',
    );
  }
}
