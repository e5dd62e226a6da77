import express from 'express';
import { type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { requestLogging } from '../../api/http/requestLogging';
import { createLogger } from '../../platform/logger';

/** Serves one app with the request logger at `level`; answers the lines it logged. */
async function serve(level: string, run: (url: string) => Promise<void>): Promise<Array<Record<string, unknown>>> {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const app = express();
  app.use(requestLogging(createLogger({ name: 'test', level, destination })));
  app.get('/ok', (_req, res) => {
    // Only the fields the logger reads; a real TenantPrincipal has more.
    res.locals.principal = { kind: 'tenant', tenantId: 't-1', keyId: 'k-1' } as never;
    res.json({ ok: true });
  });
  app.get('/missing', (_req, res) => res.status(404).json({}));
  app.get('/boom', (_req, res) => res.status(500).json({}));
  app.get('/healthz', (_req, res) => res.json({}));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  return lines;
}

describe('request logging', () => {
  it('echoes a well-formed X-Request-Id, replaces a malformed one, and logs one line per request', async () => {
    const lines = await serve('info', async (url) => {
      const echoed = await fetch(`${url}/ok?api_key=hub_sk_${'a'.repeat(38)}`, { headers: { 'X-Request-Id': 'req-123' } });
      expect(echoed.headers.get('x-request-id')).toBe('req-123');
      const replaced = await fetch(`${url}/missing`, { headers: { 'X-Request-Id': 'bad id with spaces' } });
      expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      await fetch(`${url}/boom`);
      await fetch(`${url}/healthz`);
    });
    expect(lines.map((line) => [line.msg, (line.res as { statusCode: number }).statusCode])).toEqual([
      ['request completed', 200],
      ['request completed', 404],
      ['request errored', 500],
    ]);
    expect(lines[0]).toMatchObject({
      level: 30,
      requestId: 'req-123',
      tenantId: 't-1',
      apiKeyId: 'k-1',
      req: { id: 'req-123', method: 'GET' },
      responseTime: expect.any(Number),
    });
    expect(JSON.stringify(lines)).not.toContain('a'.repeat(38));
    expect(lines[1]).toMatchObject({ level: 40 });
    expect(lines[2]).toMatchObject({ level: 50 });
  });

  it('builds no line the logger would drop', async () => {
    const lines = await serve('warn', async (url) => {
      await fetch(`${url}/ok`);
      await fetch(`${url}/missing`);
    });
    expect(lines.map((line) => line.msg)).toEqual(['request completed']);
    expect(lines[0]).toMatchObject({ level: 40, res: { statusCode: 404 } });
  });
});
