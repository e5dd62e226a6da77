import { uuidFromName } from '../../platform/ids';

describe('uuidFromName', () => {
  it('is stable per name, different across names, and a valid UUID', () => {
    const a = uuidFromName('job-event:1:completed');
    expect(uuidFromName('job-event:1:completed')).toBe(a);
    expect(uuidFromName('job-event:1:failed')).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
