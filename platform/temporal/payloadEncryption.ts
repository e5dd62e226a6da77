import { type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { hkdfSync } from 'node:crypto';
import { type HubConfig } from '../config';
import { openBytes, sealBytes } from '../vault/aesGcm';
import { masterKeyringFromConfig, type MasterKey, type MasterKeyring } from '../vault/masterKeys';

/** `metadata.encoding` of a payload this codec encrypted. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata naming the master key the payload's key was derived from (`mk_…`, as in vault_data_keys). */
export const ENCRYPTION_KEY_ID = 'encryption-key-id';
/** Metadata naming the cipher, for anyone reading a history without this code. */
export const ENCRYPTION_CIPHER = 'encryption-cipher';
const CIPHER = 'AES-256-GCM';

const AAD = 'hub-temporal-payload:v1';
const utf8 = new TextEncoder();
const text = new TextDecoder();

/**
 * The payload key of one master key: HKDF-SHA256 of it with a purpose label, so the bytes that
 * wrap tenant data keys never encrypt anything else.
 */
function payloadKey(master: MasterKey): Buffer {
  return Buffer.from(hkdfSync('sha256', master.key, Buffer.alloc(0), 'hub-temporal-payload-codec:v1', 32));
}

/**
 * Temporal payload codec: every payload leaves the process (client or worker) as AES-256-GCM
 * ciphertext of its whole protobuf (metadata included, so not even its encoding shows), under a key
 * derived from the current vault master key, whose id goes in the metadata. Decoding takes the key
 * by that id from the keyring (HUB_MASTER_KEY or HUB_MASTER_KEY_PREVIOUS: rotation keeps old
 * histories readable while the previous key is listed). Payloads that are not encrypted (histories
 * recorded before the codec, or by a client without it) pass through unchanged, as do payloads
 * already encrypted (never sealed twice). Encryption adds 28 bytes and about 80 of metadata.
 */
export function createPayloadEncryptionCodec(keyring: MasterKeyring): PayloadCodec {
  const keys = new Map<string, Buffer>([keyring.current, ...keyring.previous].map((master) => [master.id, payloadKey(master)]));
  const current = { id: keyring.current.id, key: keys.get(keyring.current.id)! };
  const metadata = {
    encoding: utf8.encode(ENCRYPTED_ENCODING),
    [ENCRYPTION_KEY_ID]: utf8.encode(current.id),
    [ENCRYPTION_CIPHER]: utf8.encode(CIPHER),
  };

  const encodeOne = (payload: Payload): Payload => {
    if (isEncrypted(payload)) return payload;
    const plaintext = temporal.api.common.v1.Payload.encode(payload).finish();
    return { metadata: { ...metadata }, data: sealBytes(current.key, plaintext, AAD) };
  };

  const decodeOne = (payload: Payload): Payload => {
    if (!isEncrypted(payload)) return payload;
    const keyId = encryptionKeyId(payload);
    const key = keyId ? keys.get(keyId) : undefined;
    if (!key) {
      throw new Error(
        `a Temporal payload is encrypted under master key ${keyId ?? '(none named)'}, which is neither HUB_MASTER_KEY nor in HUB_MASTER_KEY_PREVIOUS`,
      );
    }
    const decoded = temporal.api.common.v1.Payload.decode(openBytes(key, payload.data ?? new Uint8Array(), AAD));
    return { metadata: decoded.metadata ?? {}, data: decoded.data ?? new Uint8Array() };
  };

  return {
    async encode(payloads) {
      return payloads.map(encodeOne);
    },
    async decode(payloads) {
      return payloads.map(decodeOne);
    },
  };
}

/** Whether this codec sealed the payload. */
export function isEncrypted(payload: Payload): boolean {
  const encoding = payload.metadata?.encoding;
  return encoding !== undefined && encoding !== null && text.decode(encoding) === ENCRYPTED_ENCODING;
}

/** The master key id an encrypted payload names. */
export function encryptionKeyId(payload: Payload): string | undefined {
  const id = payload.metadata?.[ENCRYPTION_KEY_ID];
  return id ? text.decode(id) : undefined;
}

/**
 * The data converter of every hub Temporal client and worker: the default payload converter
 * (JSON), then {@link createPayloadEncryptionCodec}. The workflow sandbox only sees decoded values.
 */
export function hubDataConverter(keyring: MasterKeyring): DataConverter {
  return { payloadCodecs: [createPayloadEncryptionCodec(keyring)] };
}

/** {@link hubDataConverter} from HUB_MASTER_KEY / HUB_MASTER_KEY_PREVIOUS (throws naming the variable when unset). */
export function hubDataConverterFromConfig(config: Pick<HubConfig, 'HUB_MASTER_KEY' | 'HUB_MASTER_KEY_PREVIOUS'>): DataConverter {
  return hubDataConverter(masterKeyringFromConfig(config));
}
