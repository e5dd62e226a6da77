import pino from 'pino';
import { Writable } from 'node:stream';
import { redactedPaths } from '../../platform/logger';

describe('log redaction', () => {
  it('blanks connector credentials and OAuth fields wherever they appear one level down', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ redact: { paths: redactedPaths, censor: '[redacted]' } }, sink);
    logger.info({
      body: { type: 'salesforce', credentials: { accessToken: 'tok-1', refreshToken: 'ref-1' } },
      connector: { secretKey: 'sk_test_2', privateKeyPem: '-----BEGIN PRIVATE KEY-----', apiKey: 'scan-3' },
      response: { access_token: 'tok-4', refresh_token: 'ref-5', client_secret: 'cs-6' },
      row: { credentials_ciphertext: 'v1.a.b.c', wrapped_key: 'v1.d.e.f' },
    });
    const text = lines.join('');
    for (const secret of ['tok-1', 'ref-1', 'sk_test_2', 'BEGIN PRIVATE KEY', 'scan-3', 'tok-4', 'ref-5', 'cs-6', 'v1.a.b.c', 'v1.d.e.f'])
      expect(text).not.toContain(secret);
    expect(text).toContain('salesforce');
  });
});
