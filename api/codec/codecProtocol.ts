import { type Payload, type PayloadCodec } from '@temporalio/common';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { createPayloadEncryptionCodec } from '../../platform/temporal/payloadEncryption';
import { type MasterKeyring } from '../../platform/vault/masterKeys';
import { errors, zodDetails } from '../errors';

/**
 * The wire form of Temporal's remote codec protocol (what the Temporal UI and CLI send to
 * `<endpoint>/encode` and `<endpoint>/decode`): the protobuf JSON of `Payloads`, bytes in base64.
 */
const base64 = z
  .string()
  .max(4 * 1024 * 1024)
  .regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');
export const codecPayloadsSchema = z.object({
  payloads: z
    .array(
      z.object({
        metadata: z.record(z.string().max(256), base64).optional().describe('Metadata values, base64'),
        data: base64.optional().describe('Payload bytes, base64'),
      }),
    )
    .max(1_000),
});

/**
 * Largest codec request body. A Temporal payload is at most 2 MB (the server's blob limit), about
 * 2.7 MB in base64; the UI sends the payloads of a history page at once.
 */
export const CODEC_BODY_LIMIT = '16mb';

/** The request's payloads, decoded from base64 (400 on a body that is not the protocol's JSON). */
export async function readCodecPayloads(req: Request, res: Response): Promise<Payload[]> {
  const raw = await new Promise<Buffer>((resolve, reject) => {
    express.raw({ type: () => true, limit: CODEC_BODY_LIMIT })(req, res, (error?: unknown) =>
      error ? reject(error) : resolve(Buffer.isBuffer(req.body) ? (req.body as Buffer) : Buffer.alloc(0)),
    );
  });
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    throw errors.badRequest('INVALID_JSON', 'The body is not JSON: send {"payloads":[{"metadata":{…},"data":"…"}]}');
  }
  const parsed = codecPayloadsSchema.safeParse(json);
  if (!parsed.success) throw errors.validation(zodDetails(parsed.error, 'body'));
  return parsed.data.payloads.map((payload) => ({
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
    data: Buffer.from(payload.data ?? '', 'base64'),
  }));
}

/** Payloads in the protocol's JSON form. */
export function codecPayloadsJson(payloads: Payload[]): z.infer<typeof codecPayloadsSchema> {
  return {
    payloads: payloads.map((payload) => ({
      metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
      data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
    })),
  };
}

const codecs = new WeakMap<MasterKeyring, PayloadCodec>();

/** The process's payload codec for a keyring (the one its Temporal clients and worker use). */
export function codecFor(keyring: MasterKeyring): PayloadCodec {
  let codec = codecs.get(keyring);
  if (!codec) {
    codec = createPayloadEncryptionCodec(keyring);
    codecs.set(keyring, codec);
  }
  return codec;
}
