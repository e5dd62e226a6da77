import { Writable } from 'node:stream';
import { hashApiKey } from '../../platform/apiKeys';
import { type TestHub, type TestResponse } from '../support/hub';
import { useHub } from '../support/harness';

/**
 * A full control-plane run with every log line captured at debug level: no response body, no log
 * line and no database column may contain an API key secret; its SHA-256 may appear only in
 * api_keys.key_hash.
 */
describe('no key secret or key hash leaks into responses, logs or other columns', () => {
  const logLines: string[] = [];
  const responses: TestResponse[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  const { hub, owner } = useHub({ env: { LOG_LEVEL: 'debug' }, logDestination: sink });

  it('a full run leaves no secret behind', async () => {
    const call = async (method: string, path: string, options: Parameters<TestHub['request']>[2] = {}) => {
      const response = await hub.request(method, path, options);
      responses.push(response);
      return response;
    };
    const created = await call('POST', '/v1/admin/tenants', {
      admin: true,
      body: { name: 'Leak', slug: `leak-${Date.now().toString(36)}`, plan: 'enterprise', adminEmail: 'a@leak.test' },
    });
    const adminKey = created.body.apiKey.key as string;
    const secrets = [adminKey];
    for (const role of ['admin', 'manager', 'member', 'viewer']) {
      const key = await call('POST', '/v1/api-keys', {
        key: adminKey,
        body: { name: `${role} key`, role, scopes: role === 'member' ? ['users:read'] : undefined },
      });
      secrets.push(key.body.apiKey.key);
    }
    for (const secret of secrets) {
      await call('GET', '/v1/tenant', { key: secret });
      await call('GET', '/v1/users', { headers: { Authorization: `Bearer ${secret}` } });
      await call('POST', '/v1/users', { key: secret, body: { email: `u${Math.random()}@leak.test`, name: 'U', role: 'viewer' } });
      await call('GET', '/v1/api-keys', { key: secret });
      // Failures log at warn: a key with one character changed, a key in the query string, a 404.
      await call('GET', '/v1/tenant', { key: `${secret.slice(0, -8)}${secret.slice(-8).split('').reverse().join('')}` });
      await call('GET', `/v1/tenant?api_key=${secret}`);
      await call('GET', `/v1/nope/${secret}`, { key: secret });
    }
    await call('PATCH', '/v1/tenant', { key: adminKey, body: { settings: { security: { keyMaxLifetimeDays: 90 } } } });
    const keys = await call('GET', '/v1/api-keys', { key: adminKey });
    for (const key of keys.body.data.filter((entry: { role: string }) => entry.role === 'viewer'))
      await call('DELETE', `/v1/api-keys/${key.id}`, { key: adminKey });
    await call('GET', '/v1/audit-logs?limit=100', { key: adminKey });
    await call('GET', '/v1/usage?groupBy=endpoint', { key: adminKey });
    await call('GET', '/metrics', { admin: true });
    await hub.stop(); // flushes usage and logs

    const hashes = secrets.map(hashApiKey);
    const needles = [...secrets, ...secrets.map((secret) => secret.slice('hub_sk_'.length)), ...hashes];
    const logs = logLines.join('');
    // One line per request at least (the /metrics scrape is not logged), the key-in-URL one redacted.
    expect(logs.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(responses.length - 1);
    expect(logs).toContain('api_key=hub_sk_[redacted]');
    expect(needles.filter((needle) => logs.includes(needle))).toEqual([]);
    const bodies = responses.map((response) => response.text).join('\n');
    // The create answers are the one place a secret appears (once each).
    const createAnswers = responses.filter((response) => response.status === 201 && response.body?.apiKey?.key);
    expect(createAnswers).toHaveLength(secrets.length);
    const otherBodies = responses
      .filter((response) => !createAnswers.includes(response))
      .map((response) => response.text)
      .join('\n');
    expect(needles.filter((needle) => otherBodies.includes(needle))).toEqual([]);
    expect(hashes.filter((hash) => bodies.includes(hash))).toEqual([]);

    // Every column of every table, as text.
    const tables = (await owner.raw(`select tablename from pg_tables where schemaname = 'public'`)).rows as Array<{ tablename: string }>;
    const found: string[] = [];
    for (const { tablename } of tables) {
      const rows = (await owner.raw(`select t::text as row from ?? t`, [tablename])).rows as Array<{ row: string }>;
      for (const { row } of rows) {
        for (const needle of needles) {
          if (!row.includes(needle)) continue;
          const isStoredHash = tablename === 'api_keys' && hashes.includes(needle);
          if (!isStoredHash) found.push(`${tablename}: ${needle.slice(0, 12)}…`);
        }
      }
    }
    expect(found).toEqual([]);
  });
});
