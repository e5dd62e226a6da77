import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import { DecryptionError } from '../../platform/vault/aesGcm';
import { createPayloadEncryptionCodec, ENCRYPTED_ENCODING, ENCRYPTION_KEY_ID, encryptionKeyId, isEncrypted } from '../../platform/temporal/payloadEncryption';
import { createMasterKeyring } from '../../platform/vault/masterKeys';

const newKey = () => randomBytes(32).toString('base64');
const MARKER = 'PHI-MARKER Jane Q. Patient, DOB 1961-04-02';
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('latin1');
const toPayload = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);

describe('Temporal payload encryption codec', () => {
  const oldKey = newKey();
  const currentKey = newKey();
  const codec = createPayloadEncryptionCodec(createMasterKeyring(currentKey, [oldKey]));

  it('seals the whole payload (metadata included) under the current key, and opens it again', async () => {
    const payload = toPayload({ tenantId: 't', params: { items: [{ patientRef: MARKER }] } });
    const [encrypted] = await codec.encode([payload]);
    expect(text(encrypted!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(encryptionKeyId(encrypted!)).toBe(createMasterKeyring(currentKey).current.id);
    expect(text(encrypted!.data)).not.toContain('PHI-MARKER');
    expect(text(encrypted!.data)).not.toContain('json/plain');
    const [decoded] = await codec.decode([encrypted!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ tenantId: 't', params: { items: [{ patientRef: MARKER }] } });
    expect(text(decoded!.metadata!.encoding)).toBe('json/plain');
  });

  it('uses a fresh IV each time: the same value never gives the same ciphertext', async () => {
    const [first, second] = await codec.encode([toPayload(MARKER), toPayload(MARKER)]);
    expect(Buffer.from(first!.data!).equals(Buffer.from(second!.data!))).toBe(false);
  });

  it('passes unencrypted payloads through on decode (histories recorded before the codec) and never seals twice', async () => {
    const plain = [toPayload({ legacy: true }), toPayload(undefined), toPayload(new Uint8Array([1, 2, 3]))];
    expect(await codec.decode(plain)).toEqual(plain);
    const once = await codec.encode([toPayload(MARKER)]);
    expect(await codec.encode(once)).toEqual(once);
  });

  it('keeps histories readable across a master key rotation while the previous key is listed', async () => {
    const before = createPayloadEncryptionCodec(createMasterKeyring(oldKey));
    const sealedBefore = await before.encode([toPayload(MARKER)]);
    // After rotation: HUB_MASTER_KEY is the new key, HUB_MASTER_KEY_PREVIOUS the old one.
    expect(defaultPayloadConverter.fromPayload((await codec.decode(sealedBefore))[0]!)).toBe(MARKER);
    // New payloads go under the new key.
    expect(encryptionKeyId((await codec.encode([toPayload(1)]))[0]!)).toBe(createMasterKeyring(currentKey).current.id);
    // Once the old key is dropped, its payloads cannot be opened, and the error names the key.
    const withoutOld = createPayloadEncryptionCodec(createMasterKeyring(currentKey));
    await expect(withoutOld.decode(sealedBefore)).rejects.toThrow(
      new RegExp(`encrypted under master key ${encryptionKeyId(sealedBefore[0]!)}, which is neither HUB_MASTER_KEY nor in HUB_MASTER_KEY_PREVIOUS`),
    );
  });

  it('refuses an altered ciphertext or a key id swapped for another', async () => {
    const [sealed] = await codec.encode([toPayload(MARKER)]);
    const altered = Buffer.from(sealed!.data!);
    altered[altered.length - 1]! ^= 1;
    await expect(codec.decode([{ ...sealed!, data: altered }])).rejects.toThrow(DecryptionError);
    const swapped = { ...sealed!, metadata: { ...sealed!.metadata, [ENCRYPTION_KEY_ID]: Buffer.from(createMasterKeyring(oldKey).current.id) } };
    await expect(codec.decode([swapped])).rejects.toThrow(DecryptionError);
  });

  it('adds a small constant overhead, so a payload under the 2 MB limit stays under it', async () => {
    const large = toPayload({ items: 'x'.repeat(1_900_000) });
    const [sealed] = await codec.encode([large]);
    const size = (payload: Payload) =>
      (payload.data?.length ?? 0) + Object.entries(payload.metadata ?? {}).reduce((sum, [key, value]) => sum + key.length + value.length, 0);
    expect(size(sealed!) - size(large)).toBeLessThan(200);
    expect(isEncrypted(sealed!)).toBe(true);
  });

  it('round-trips a batch of 2,000 activity-sized payloads in order, each sealed separately', async () => {
    const payloads = Array.from({ length: 2_000 }, (_, index) =>
      toPayload({ tenantId: 't', connectorId: 'c', stream: 'patients', page: index, cursor: 'x'.repeat(200) }),
    );
    const sealed = await codec.encode(payloads);
    expect(sealed.every(isEncrypted)).toBe(true);
    expect(new Set(sealed.map((payload) => Buffer.from(payload.data!).toString('base64'))).size).toBe(2_000);
    const decoded = await codec.decode(sealed);
    expect(decoded).toHaveLength(2_000);
    expect(defaultPayloadConverter.fromPayload(decoded[1_999]!)).toMatchObject({ page: 1_999 });
  });
});
