import { defineRoute } from '../http/route';
import { codecFor, codecPayloadsJson, codecPayloadsSchema, readCodecPayloads } from './codecProtocol';

/**
 * Codec server, encode side (Temporal's remote codec protocol): encrypts payloads the way the hub's
 * clients do, for an operator who sends a signal or starts a workflow from the Temporal UI or CLI.
 * Platform admin only (what it encrypts is readable to whoever can decode).
 */
export const encodePayloads = defineRoute({
  method: 'post',
  path: '/codec/encode',
  auth: 'admin',
  summary: 'Temporal codec server: encrypt payloads as the hub does (platform admin)',
  tags: ['admin', 'temporal'],
  rawBody: { contentTypes: ['application/json'] },
  documentedBody: codecPayloadsSchema,
  responses: {
    200: { description: 'The payloads, encrypted (payloads already encrypted come back unchanged)', schema: codecPayloadsSchema },
    400: { description: 'Not the codec protocol JSON' },
    401: { description: 'Not the platform admin token' },
    413: { description: 'Body over 16 MB' },
  },
  async handler({ deps, req, res }) {
    const payloads = await readCodecPayloads(req, res);
    const encoded = await codecFor(deps.vault.keyring).encode(payloads);
    deps.logger.info(
      { audit: true, action: 'temporal_payload.encoded', actor: 'platform_admin', ip: req.ip, payloads: payloads.length },
      'platform admin encoded Temporal payloads',
    );
    return { status: 200, body: codecPayloadsJson(encoded) };
  },
});
