import { parseRequestBudget } from '../../activities/sync/requestBudget';
import { decodeChangeCursor, encodeChangeCursor } from '../../api/records/changeCursor';
import { catchupWindowMs, scheduleIntervalMs } from '../../api/syncs/syncSchedules';

describe('sync helpers', () => {
  it('round-trips change-feed cursors and refuses foreign ones', () => {
    const cursor = encodeChangeCursor({ xid: '7513', seq: '20001' });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeChangeCursor(cursor)).toEqual({ xid: '7513', seq: '20001' });
    for (const bad of [
      '',
      'r1:1.2',
      Buffer.from('r1:01.2').toString('base64url'),
      Buffer.from('r2:1.2').toString('base64url'),
      Buffer.from('r1:1.-2').toString('base64url'),
    ]) {
      expect(decodeChangeCursor(bad)).toBeUndefined();
    }
  });

  it('accepts schedule intervals from 1m to 30d and bounds the catch-up window', () => {
    expect(scheduleIntervalMs('1m')).toBe(60_000);
    expect(scheduleIntervalMs('15m')).toBe(900_000);
    expect(scheduleIntervalMs('30d')).toBe(30 * 86_400_000);
    for (const bad of ['30s', '0m', '31d', '1w', '15', 'm']) expect(scheduleIntervalMs(bad)).toBeUndefined();
    expect(catchupWindowMs(60_000)).toBe(60_000);
    expect(catchupWindowMs(15 * 60_000)).toBe(15 * 60_000);
    expect(catchupWindowMs(86_400_000)).toBe(3_600_000);
  });

  it('reads request budgets as requests per whole-second window', () => {
    expect(parseRequestBudget('600/1m')).toEqual({ requests: 600, windowSeconds: 60 });
    expect(parseRequestBudget('3/2s')).toEqual({ requests: 3, windowSeconds: 2 });
    expect(parseRequestBudget('10/500ms')).toEqual({ requests: 10, windowSeconds: 1 });
    expect(() => parseRequestBudget('fast')).toThrow();
  });
});
