import { loadConfig } from '../../platform/config';
import { appDatabaseUrl, createDatabase } from '../../platform/db';
import { withAdvisoryLock } from '../../platform/locks';

describe('withAdvisoryLock', () => {
  const config = loadConfig();
  // Two pools stand for two worker processes.
  const first = createDatabase({ url: appDatabaseUrl(config), poolMax: 3, applicationName: 'lock-a' });
  const second = createDatabase({ url: appDatabaseUrl(config), poolMax: 3, applicationName: 'lock-b' });
  afterAll(async () => {
    await first.close();
    await second.close();
  });

  it('serialises holders of the same name across pools and lets different names run together', async () => {
    const events: string[] = [];
    const hold = (db: typeof first, name: string, label: string) =>
      withAdvisoryLock(db, name, async () => {
        events.push(`${label}:in`);
        await new Promise((resolve) => setTimeout(resolve, 150));
        events.push(`${label}:out`);
        return label;
      });
    const results = await Promise.all([hold(first, 'conn-1/oauth', 'a'), hold(second, 'conn-1/oauth', 'b'), hold(second, 'conn-2/oauth', 'c')]);
    expect(results).toEqual(['a', 'b', 'c']);
    const a = events.indexOf('a:in');
    const b = events.indexOf('b:in');
    const [earlier, later] = a < b ? ['a', 'b'] : ['b', 'a'];
    expect(events.indexOf(`${earlier}:out`)).toBeLessThan(events.indexOf(`${later}:in`));
    expect(events.indexOf('c:in')).toBeLessThan(events.indexOf(`${earlier}:out`));
  });

  it('releases the lock when the holder throws', async () => {
    await expect(withAdvisoryLock(first, 'throws', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(withAdvisoryLock(second, 'throws', async () => 'next', { timeoutMs: 2_000 })).resolves.toBe('next');
  });
});
