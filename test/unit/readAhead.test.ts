import { ReadAhead } from '../../activities/sync/readAhead';
import { type ReadPageResult } from '../../connectors/types';

const page = (nextCursor: string): ReadPageResult => ({ records: [], nextCursor, done: false });

describe('ReadAhead', () => {
  it('hands a read-ahead to the page that starts from the same committed cursor, once', async () => {
    const ahead = new ReadAhead();
    let reads = 0;
    ahead.start('run:stream:2', 'c1', async () => {
      reads += 1;
      return page('c2');
    });
    await expect(ahead.take('run:stream:2', 'c1')).resolves.toEqual(page('c2'));
    expect(ahead.take('run:stream:2', 'c1')).toBeUndefined();
    expect(reads).toBe(1);
  });

  it('drops a read-ahead whose start cursor is no longer the committed one', () => {
    const ahead = new ReadAhead();
    ahead.start('run:stream:2', 'c1', async () => page('c2'));
    expect(ahead.take('run:stream:2', 'c0')).toBeUndefined();
    expect(ahead.size).toBe(0);
  });

  it('does not start more than maxEntries reads and swallows failures nobody takes', async () => {
    const ahead = new ReadAhead({ ttlMs: 60_000, maxEntries: 2 });
    let started = 0;
    for (const key of ['a', 'b', 'c']) {
      ahead.start(key, 'x', () => {
        started += 1;
        return Promise.reject(new Error('peer down'));
      });
    }
    expect(started).toBe(2);
    expect(ahead.size).toBe(2);
    await expect(ahead.take('a', 'x')).rejects.toThrow('peer down');
  });

  it('forgets entries after their time to live', async () => {
    const ahead = new ReadAhead({ ttlMs: 20, maxEntries: 10 });
    ahead.start('k', 'x', async () => page('y'));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(ahead.take('k', 'x')).toBeUndefined();
  });
});
