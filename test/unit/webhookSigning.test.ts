import { createHmac } from 'node:crypto';
import http from 'node:http';
import { once } from 'node:events';
import { type AddressInfo } from 'node:net';
import { splitRange } from '../../api/analytics/rollupRanges';
import { generateWebhookSecret } from '../../platform/webhooks/webhookSecret';
import { createWebhookSender, parseRetryAfter } from '../../platform/webhooks/webhookSender';

describe('webhook signing and sending', () => {
  it('signs "id.timestamp.body" with HMAC-SHA256 under the base64 part of the secret (checked without the library)', async () => {
    let seen: { headers: http.IncomingHttpHeaders; body: string } | undefined;
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen = { headers: req.headers, body };
        res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }).end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const secret = generateWebhookSecret();
      const send = createWebhookSender({ HUB_ALLOW_PRIVATE_NETWORK: true, HUB_NETWORK_ALLOWLIST: [], WEBHOOK_TIMEOUT: '5s' });
      const result = await send(
        { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`, secret, messageId: 'evt_1', body: '{"a":1}' },
        new Date('2026-11-21T10:00:00Z'),
      );
      // Redirects are not followed: a 3xx is a failed attempt.
      expect(result).toMatchObject({ outcome: 'failed', statusCode: 302, error: 'redirects are not followed' });
      const timestamp = String(Date.parse('2026-11-21T10:00:00Z') / 1000);
      const expected = createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64'))
        .update(`evt_1.${timestamp}.{"a":1}`)
        .digest('base64');
      expect(seen!.headers).toMatchObject({ 'webhook-id': 'evt_1', 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${expected}` });
      expect(seen!.body).toBe('{"a":1}');
    } finally {
      server.close();
    }
  });

  it('reads Retry-After as seconds or an HTTP date, capped at a day', () => {
    const now = new Date('2026-11-21T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Sat, 21 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('999999', now)).toBe(86_400_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});

describe('rollup ranges', () => {
  const at = (iso: string) => new Date(iso);
  it('reads whole days from rollups and partial days from raw rows', () => {
    expect(splitRange(at('2026-11-01T00:00:00Z'), at('2026-11-21T10:00:00Z'), at('2026-11-21T10:00:00Z'))).toEqual({
      days: { fromDay: '2026-11-01', toDay: '2026-11-22' },
      raw: [],
    });
    expect(splitRange(at('2026-11-01T06:00:00Z'), at('2026-11-05T12:00:00Z'), at('2026-11-21T10:00:00Z'))).toEqual({
      days: { fromDay: '2026-11-02', toDay: '2026-11-05' },
      raw: [
        { from: at('2026-11-01T06:00:00Z'), to: at('2026-11-02T00:00:00Z') },
        { from: at('2026-11-05T00:00:00Z'), to: at('2026-11-05T12:00:00Z') },
      ],
    });
    expect(splitRange(at('2026-11-03T06:00:00Z'), at('2026-11-03T08:00:00Z'), at('2026-11-21T10:00:00Z'))).toEqual({
      days: null,
      raw: [{ from: at('2026-11-03T06:00:00Z'), to: at('2026-11-03T08:00:00Z') }],
    });
    expect(splitRange(at('2026-11-03T00:00:00Z'), at('2026-11-03T00:00:00Z'), at('2026-11-21T10:00:00Z'))).toEqual({ days: null, raw: [] });
  });
});
