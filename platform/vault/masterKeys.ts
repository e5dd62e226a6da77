import { createHash } from 'node:crypto';
import { type HubConfig } from '../config';

/** A vault master key and its id (derived from the key, so nothing has to keep the two in step). */
export interface MasterKey {
  id: string;
  key: Buffer;
}

/**
 * The master keys this process knows: `current` wraps new data keys and is what `vault:rotate`
 * re-wraps to; `previous` keys (HUB_MASTER_KEY_PREVIOUS) can still unwrap until then.
 */
export interface MasterKeyring {
  current: MasterKey;
  previous: MasterKey[];
  /** The key with this id, current or previous. */
  find(id: string): MasterKey | undefined;
}

/** `mk_` + the first 16 hex digits of SHA-256(key): stable, and reveals nothing useful about the key. */
export function masterKeyId(key: Buffer): string {
  return `mk_${createHash('sha256').update('hub-vault-master-key-id').update(key).digest('hex').slice(0, 16)}`;
}

export function masterKey(base64: string): MasterKey {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32) throw new Error('a vault master key must be 32 bytes (base64)');
  return { id: masterKeyId(key), key };
}

export function createMasterKeyring(current: string, previous: readonly string[] = []): MasterKeyring {
  const ring = { current: masterKey(current), previous: previous.map(masterKey) };
  return {
    ...ring,
    find: (id) => [ring.current, ...ring.previous].find((candidate) => candidate.id === id),
  };
}

/** The keyring from HUB_MASTER_KEY / HUB_MASTER_KEY_PREVIOUS; throws naming the variable when unset. */
export function masterKeyringFromConfig(config: Pick<HubConfig, 'HUB_MASTER_KEY' | 'HUB_MASTER_KEY_PREVIOUS'>): MasterKeyring {
  if (!config.HUB_MASTER_KEY) {
    throw new Error('HUB_MASTER_KEY is not set (npm start generates one; configured deployments must set it: openssl rand -base64 32)');
  }
  return createMasterKeyring(config.HUB_MASTER_KEY, config.HUB_MASTER_KEY_PREVIOUS);
}
