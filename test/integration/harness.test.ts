import { useHub, useStarted } from '../support/harness';

/** The test harness itself: what useHub and useStarted promise the files that use them. */
describe('test harness: useHub and useStarted', () => {
  const events: string[] = [];
  const resource = useStarted(async () => {
    events.push('resource started');
    return {
      label: 'resource',
      async stop() {
        events.push('resource stopped');
      },
    };
  });
  const {
    hub,
    tenants: [starter, enterprise],
    tenant,
    owner,
  } = useHub({ tenants: [{ plan: 'starter' }, {}] });
  // Read at collection time, before any beforeAll: the stand-in must refuse, not answer undefined.
  const tooEarly = (() => {
    try {
      return hub.url;
    } catch (error) {
      return error;
    }
  })();

  it('refuses a stand-in used before its beforeAll ran', () => {
    expect(tooEarly).toBeInstanceOf(Error);
    expect((tooEarly as Error).message).toMatch(/the hub is not ready/);
  });

  it('starts the resource before the hub, and forwards its properties and methods', () => {
    expect(events).toEqual(['resource started']);
    expect(resource.label).toBe('resource');
  });

  it('creates the tenants asked for, in order, with their fields; `tenant` is the first', async () => {
    expect(starter.id).not.toBe(enterprise.id);
    expect(tenant.id).toBe(starter.id);
    expect({ ...starter }).toEqual({ id: starter.id, slug: starter.slug, key: starter.key, keyId: starter.keyId, workflowId: starter.workflowId });
    const plans = await Promise.all(
      [starter, enterprise].map(async (created) => (await hub.request('GET', '/v1/tenant', { key: created.key })).body.tenant.plan),
    );
    expect(plans).toEqual(['starter', 'enterprise']);
  });

  it('gives an owner connection that sees past row-level security', async () => {
    const rows = await owner('tenants').whereIn('id', [starter.id, enterprise.id]).select('id');
    expect(rows).toHaveLength(2);
  });
});
