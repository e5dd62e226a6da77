import { eventually } from '../support/eventually';
import { useHub, useStarted } from '../support/harness';
import { asBrowser, inviteAndAccept, signIn } from '../support/consoleUsers';
import { createScimToken, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, PATCH_OP, scimClient, USER_SCHEMA } from '../support/scimClient';
import { startSmtpCatcher } from '../support/smtpCatcher';
import { createKey } from '../support/tenantKeys';

const filter = (expression: string) => encodeURIComponent(expression);

/**
 * What Okta and Entra ID send to a SCIM service, request by request (their provisioning
 * integrations' documented shapes: Okta's PATCH with a value object, Entra ID's capitalised ops,
 * string booleans and filtered paths), through the real app and database.
 */
describe('SCIM 2.0 provisioning', () => {
  const smtp = useStarted(startSmtpCatcher, 'the SMTP catcher');
  const { hub, tenants, owner } = useHub({ env: () => ({ SMTP_URL: smtp.url }), tenants: [{}, {}] });

  async function seats(tenantId: string): Promise<number> {
    const [row] = await owner('seat_counts').where({ tenant_id: tenantId }).select('seats');
    return row.seats as number;
  }
  async function hubUser(tenantId: string, id: string) {
    return owner('users').where({ tenant_id: tenantId, id }).first('email', 'name', 'role', 'status');
  }

  it('tokens: created and rotated by admins only, shown once, stored as a hash, audited; a revoked token answers 401 in SCIM’s shape', async () => {
    const [tenant] = tenants;
    const manager = await createKey(hub, tenant, 'manager');
    expect((await hub.request('POST', '/v1/scim-token', { key: manager.key })).status).toBe(403);

    const first = await hub.request('POST', '/v1/scim-token', { key: tenant.key });
    expect(first.status).toBe(201);
    expect(first.body.secret).toMatch(/^hub_scim_/);
    expect(first.body.baseUrl).toBe(`${hub.url}/scim/v2`);
    expect(first.body.rotated).toBe(false);
    const shown = await hub.request('GET', '/v1/scim-token', { key: tenant.key });
    expect(shown.body.token).toMatchObject({ id: first.body.token.id, hint: first.body.secret.slice(-4) });
    expect(shown.text).not.toContain(first.body.secret);
    const stored = await owner('scim_tokens').where({ tenant_id: tenant.id });
    expect(JSON.stringify(stored)).not.toContain(first.body.secret);

    const scimWithFirst = scimClient(hub, first.body.secret);
    expect((await scimWithFirst('GET', '/ServiceProviderConfig')).status).toBe(200);

    const rotated = await hub.request('POST', '/v1/scim-token', { key: tenant.key });
    expect(rotated.body.rotated).toBe(true);
    const refused = await scimWithFirst('GET', '/Users');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toContain('application/scim+json');
    expect(refused.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401' });
    expect((await scimClient(hub, rotated.body.secret)('GET', '/Users')).status).toBe(200);

    expect((await hub.request('DELETE', '/v1/scim-token', { key: tenant.key })).status).toBe(204);
    expect((await scimClient(hub, rotated.body.secret)('GET', '/Users')).status).toBe(401);
    expect((await hub.request('DELETE', '/v1/scim-token', { key: tenant.key })).status).toBe(404);
    const audit = await owner('audit_log').where({ tenant_id: tenant.id }).where('action', 'like', 'scim_token.%').orderBy('seq').select('action');
    expect(audit.map((row) => row.action)).toEqual(['scim_token.created', 'scim_token.rotated', 'scim_token.revoked']);
  });

  it('Okta: filter lookup, create, get, profile PUT, deactivate (sessions end, seat freed), reactivate, group push with members → roles', async () => {
    const [tenant] = tenants;
    const token = await createScimToken(hub, tenant);
    const scim = scimClient(hub, token);
    const email = `ada-${Date.now()}@okta.test`;

    // Okta looks the person up before creating them.
    const lookup = await scim('GET', `/Users?filter=${filter(`userName eq "${email}"`)}&startIndex=1&count=100`);
    expect(lookup.status).toBe(200);
    expect(lookup.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, Resources: [] });

    const seatsBefore = await seats(tenant.id);
    const created = await scim('POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: email,
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      emails: [{ primary: true, value: email, type: 'work' }],
      displayName: 'Ada Lovelace',
      locale: 'en-US',
      externalId: '00u1okta',
      groups: [],
      password: 'an-okta-generated-password',
      active: true,
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toContain('application/scim+json');
    expect(created.headers.get('location')).toBe(`${hub.url}/scim/v2/Users/${created.body.id}`);
    expect(created.body).toMatchObject({ userName: email, active: true, externalId: '00u1okta', name: { givenName: 'Ada', familyName: 'Lovelace' } });
    expect(created.text).not.toContain('an-okta-generated-password');
    const id = created.body.id as string;
    expect(await hubUser(tenant.id, id)).toMatchObject({ email, name: 'Ada Lovelace', role: 'member', status: 'active' });
    expect(await seats(tenant.id)).toBe(seatsBefore + 1);

    const found = await scim('GET', `/Users?filter=${filter(`userName eq "${email.toUpperCase()}"`)}`);
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0].id).toBe(id);
    expect((await scim('GET', `/Users/${id}`)).body).toMatchObject({ id, userName: email, meta: { resourceType: 'User' } });
    const duplicate = await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: email, emails: [{ value: email }] });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.scimType).toBe('uniqueness');

    // Okta's profile push: PUT of the whole user.
    const put = await scim('PUT', `/Users/${id}`, {
      schemas: [USER_SCHEMA],
      id,
      userName: email,
      name: { givenName: 'Augusta Ada', familyName: 'King' },
      emails: [{ primary: true, value: email, type: 'work' }],
      displayName: 'Augusta Ada King',
      active: true,
    });
    expect(put.status).toBe(200);
    expect(put.body.name).toEqual({ givenName: 'Augusta Ada', familyName: 'King' });
    expect((await hubUser(tenant.id, id)).name).toBe('Augusta Ada King');

    // The person had signed in to the console (an invited hub user whom Okta now links by e-mail).
    const consoleUser = await inviteAndAccept(hub, smtp, tenant, 'viewer');
    const linked = await scim('POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: consoleUser.email,
      emails: [{ primary: true, value: consoleUser.email }],
      active: true,
    });
    expect(linked.status).toBe(201);
    expect(linked.body.id).toBe(consoleUser.id);
    const { session } = await signIn(hub, tenant, consoleUser.email, consoleUser.password);
    const browser = asBrowser(hub, session);
    expect((await browser('GET', '/v1/auth/session')).status).toBe(200);
    const seatsWithBoth = await seats(tenant.id);

    // Okta deactivates with a value object and no path.
    const deactivated = await scim('PATCH', `/Users/${consoleUser.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] });
    expect(deactivated.status).toBe(200);
    expect(deactivated.body.active).toBe(false);
    expect((await hubUser(tenant.id, consoleUser.id)).status).toBe('suspended');
    expect(await seats(tenant.id)).toBe(seatsWithBoth - 1);
    const afterDeactivation = await browser('GET', '/v1/auth/session');
    expect(afterDeactivation.status).toBe(401);
    const sessions = await owner('user_sessions').where({ user_id: consoleUser.id });
    expect(sessions.every((row) => row.revoked_at !== null)).toBe(true);
    const activeFilter = await scim('GET', `/Users?filter=${filter(`userName eq "${consoleUser.email}" and active eq false`)}`);
    expect(activeFilter.body.totalResults).toBe(1);

    const reactivated = await scim('PATCH', `/Users/${consoleUser.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] });
    expect(reactivated.body.active).toBe(true);
    expect(await seats(tenant.id)).toBe(seatsWithBoth);

    // Group push: the group, then its members; the group maps to a role.
    await owner('identity_group_roles').insert({ tenant_id: tenant.id, group_name: 'Hub Managers', role: 'manager' });
    const group = await scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Hub Managers', members: [] });
    expect(group.status).toBe(201);
    const groupId = group.body.id as string;
    const added = await scim('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: [{ value: id, display: email }] }],
    });
    expect(added.status).toBe(200);
    expect(added.body.members).toEqual([expect.objectContaining({ value: id })]);
    expect((await hubUser(tenant.id, id)).role).toBe('manager');
    expect((await scim('GET', `/Users/${id}`)).body.groups).toEqual([expect.objectContaining({ value: groupId, display: 'Hub Managers' })]);

    // Okta renames with replace of a value object holding id and displayName.
    const renamed = await scim('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { id: groupId, displayName: 'Hub Readers' } }],
    });
    expect(renamed.body.displayName).toBe('Hub Readers');
    expect((await hubUser(tenant.id, id)).role).toBe('member'); // no mapping for the new name: the default role

    const removed = await scim('PATCH', `/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${id}"]` }] });
    expect(removed.body.members).toBeUndefined();

    const audit = await owner('audit_log')
      .where({ tenant_id: tenant.id, target_id: consoleUser.id })
      .orderBy('seq')
      .select('action', 'actor_type', 'actor_id', 'details');
    const deactivation = audit.find((row) => row.action === 'user.deactivated');
    expect(deactivation).toMatchObject({ actor_type: 'system', details: { source: 'scim', revokedSessions: 1 } });
    expect(deactivation!.actor_id).toMatch(/^scim_token:/);
  });

  it('Entra ID: probe, create with the enterprise extension, externalId lookup, Replace/Add/Remove with string booleans and filtered paths, group membership, delete', async () => {
    const [tenant] = tenants;
    const token = await createScimToken(hub, tenant);
    const scim = scimClient(hub, token);
    const upn = `grace-${Date.now()}@entra.test`;

    // Entra ID's connection test: a filter on a random userName.
    const probe = await scim('GET', `/Users?filter=${filter('userName eq "7a3c1e9f-0000-4000-8000-probe@entra.test"')}`);
    expect(probe.body.totalResults).toBe(0);

    const created = await scim('POST', '/Users', {
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      externalId: 'entra-object-1',
      userName: upn,
      active: true,
      displayName: 'Grace Hopper',
      emails: [{ primary: true, type: 'work', value: upn }],
      name: { formatted: 'Grace Hopper', familyName: 'Hopper', givenName: 'Grace' },
      title: 'Rear Admiral',
      [ENTERPRISE_USER_SCHEMA]: { department: 'Navy', manager: { value: 'someone' } },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    const byExternalId = await scim('GET', `/Users?filter=${filter('externalId eq "entra-object-1"')}`);
    expect(byExternalId.body.Resources.map((user: { id: string }) => user.id)).toEqual([id]);

    const changed = await scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Replace', path: 'displayName', value: 'Grace B. Hopper' },
        { op: 'Replace', path: 'name.givenName', value: 'Grace Brewster' },
        { op: 'Add', path: 'emails[type eq "home"].value', value: 'grace@home.test' },
        { op: 'Replace', path: `${ENTERPRISE_USER_SCHEMA}:department`, value: 'Computing' },
        { op: 'Remove', path: 'name.formatted' },
        { op: 'Add', value: { 'name.familyName': 'Hopper', title: 'Commodore' } },
      ],
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ displayName: 'Grace B. Hopper', name: { givenName: 'Grace Brewster', familyName: 'Hopper' } });
    expect(changed.body.name.formatted).toBeUndefined();
    expect(changed.body.emails).toEqual([
      { primary: true, type: 'work', value: upn },
      { type: 'home', value: 'grace@home.test' },
    ]);
    expect((await hubUser(tenant.id, id)).name).toBe('Grace B. Hopper');
    const byEmail = await scim('GET', `/Users?filter=${filter('emails[type eq "home" and value eq "grace@home.test"]')}`);
    expect(byEmail.body.totalResults).toBe(1);

    // Entra ID: a group with members, membership asked with a filter, members added and removed with a value list.
    await owner('identity_group_roles').insert({ tenant_id: tenant.id, group_name: 'entra-admins', role: 'admin' });
    const group = await scim('POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Entra-Admins',
      externalId: 'entra-group-1',
      members: [{ value: id }],
    });
    expect(group.status).toBe(201);
    expect((await hubUser(tenant.id, id)).role).toBe('admin');
    const groupId = group.body.id as string;
    const listed = await scim('GET', `/Groups?filter=${filter('displayName eq "Entra-Admins"')}&excludedAttributes=members`);
    expect(listed.body.Resources).toEqual([expect.not.objectContaining({ members: expect.anything() })]);
    const member = await scim('GET', `/Groups?filter=${filter(`id eq "${groupId}" and members eq "${id}"`)}&excludedAttributes=members`);
    expect(member.body.totalResults).toBe(1);

    const removed = await scim('PATCH', `/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: 'members', value: [{ value: id }] }] });
    expect(removed.status).toBe(200);
    expect((await hubUser(tenant.id, id)).role).toBe('member');
    const readded = await scim('PATCH', `/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ value: id }] }] });
    expect(readded.body.members).toHaveLength(1);

    // Entra ID deactivates with a string boolean.
    const seatsBefore = await seats(tenant.id);
    const deactivated = await scim('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect(deactivated.body.active).toBe(false);
    expect(await seats(tenant.id)).toBe(seatsBefore - 1);

    const badOp = await scim('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Move', path: 'active', value: true }] });
    expect(badOp.status).toBe(400);
    expect(badOp.body.scimType).toBe('invalidSyntax');
    const noTarget = await scim('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove' }] });
    expect(noTarget.body.scimType).toBe('noTarget');

    expect((await scim('DELETE', `/Users/${id}`)).status).toBe(204);
    expect(await hubUser(tenant.id, id)).toBeUndefined();
    const gone = await scim('GET', `/Users/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' });
    expect((await scim('GET', `/Groups/${groupId}`)).body.members).toBeUndefined();
    expect((await scim('DELETE', `/Groups/${groupId}`)).status).toBe(204);
  });

  it('pagination, filters it cannot read, unknown paths, discovery documents', async () => {
    const [tenant] = tenants;
    const token = await createScimToken(hub, tenant);
    const scim = scimClient(hub, token);
    const prefix = `page-${Date.now()}`;
    for (let index = 0; index < 3; index += 1) {
      const response = await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: `${prefix}-${index}@x.test` });
      expect(response.status).toBe(201);
    }
    const page = await scim('GET', `/Users?filter=${filter(`userName sw "${prefix}"`)}&startIndex=2&count=1`);
    expect(page.body).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1 });
    expect(page.body.Resources[0].userName).toBe(`${prefix}-1@x.test`);
    const countOnly = await scim('GET', `/Users?filter=${filter(`userName sw "${prefix}"`)}&count=0`);
    expect(countOnly.body).toMatchObject({ totalResults: 3, itemsPerPage: 0, Resources: [] });
    const projected = await scim('GET', `/Users?filter=${filter(`userName sw "${prefix}"`)}&attributes=userName`);
    expect(Object.keys(projected.body.Resources[0]).sort()).toEqual(['id', 'schemas', 'userName']);

    const bad = await scim('GET', `/Users?filter=${filter('userName eq')}`);
    expect(bad.status).toBe(400);
    expect(bad.body.scimType).toBe('invalidFilter');
    const unsupported = await scim('GET', `/Users?filter=${filter('nickName eq "x"')}`);
    expect(unsupported.body.scimType).toBe('invalidFilter');
    const unknown = await scim('GET', '/Nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    const wrongMethod = await scim('PUT', '/ServiceProviderConfig', {});
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '405' });
    const notJson = await hub.request('POST', '/scim/v2/Users', {
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' },
      rawBody: '{"userName": ',
    });
    expect(notJson.body).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    const noEmail = await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'not-an-address' });
    expect(noEmail.body).toMatchObject({ status: '400', scimType: 'invalidValue' });

    const config = await scim('GET', '/ServiceProviderConfig');
    expect(config.body).toMatchObject({ patch: { supported: true }, filter: { supported: true }, bulk: { supported: false } });
    const types = await scim('GET', '/ResourceTypes');
    expect(types.body.Resources.map((type: { id: string }) => type.id)).toEqual(['User', 'Group']);
    const schema = await scim('GET', `/Schemas/${USER_SCHEMA}`);
    expect(schema.body.attributes.map((attribute: { name: string }) => attribute.name)).toContain('userName');

    // The log is written once each answer is sent.
    const wanted = [`/scim/v2/Schemas/${USER_SCHEMA}`, '/scim/v2/Nope', '/scim/v2/ResourceTypes'];
    const log = await eventually(
      async () => {
        const response = await hub.request('GET', '/v1/scim-requests?limit=200', { key: tenant.key });
        const paths = response.body.requests.map((request: { path: string }) => request.path);
        return wanted.every((path) => paths.includes(path)) ? response : undefined;
      },
      10_000,
      'the SCIM request log',
    );
    expect(log.body.requests).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ method: 'GET', path: `/scim/v2/Schemas/${USER_SCHEMA}`, status: 200 }),
        expect.objectContaining({ method: 'GET', path: '/scim/v2/Nope', status: 404 }),
      ]),
    );
    expect(log.text).not.toContain('hub_scim_');
  });

  it('RLS: one tenant’s SCIM token never sees or changes another tenant’s users and groups', async () => {
    const [first, second] = tenants;
    const scimFirst = scimClient(hub, await createScimToken(hub, first));
    const scimSecond = scimClient(hub, await createScimToken(hub, second));
    const email = `isolated-${Date.now()}@rls.test`;
    const user = await scimFirst('POST', '/Users', { schemas: [USER_SCHEMA], userName: email, emails: [{ value: email }] });
    const group = await scimFirst('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: `Isolated ${Date.now()}`, members: [{ value: user.body.id }] });

    expect((await scimSecond('GET', `/Users/${user.body.id}`)).status).toBe(404);
    expect((await scimSecond('GET', `/Users?filter=${filter(`userName eq "${email}"`)}`)).body.totalResults).toBe(0);
    const allSecond = await scimSecond('GET', '/Users?count=200');
    expect(allSecond.body.Resources.map((resource: { id: string }) => resource.id)).not.toContain(user.body.id);
    expect(
      (await scimSecond('PATCH', `/Users/${user.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] })).status,
    ).toBe(404);
    expect((await scimSecond('DELETE', `/Users/${user.body.id}`)).status).toBe(404);
    expect((await scimSecond('GET', `/Groups/${group.body.id}`)).status).toBe(404);
    const stolen = await scimSecond('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Thieves', members: [{ value: user.body.id }] });
    expect(stolen.body.scimType).toBe('invalidValue');
    // The same e-mail may be provisioned in the other tenant: users are per tenant.
    expect((await scimSecond('POST', '/Users', { schemas: [USER_SCHEMA], userName: email, emails: [{ value: email }] })).status).toBe(201);
    expect(await hubUser(first.id, user.body.id)).toMatchObject({ status: 'active' });
  });
});
