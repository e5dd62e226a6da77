import { startSamlIdpPeer } from '../peers/saml/samlIdpPeer';
import { useHub, useStarted } from '../support/harness';
import { CookieBrowser } from '../support/ssoFlows';

describe('SAML 2.0 sign-in against a samlify IdP: signatures, audience, recipient, destination, expiry, replay, InResponseTo, wrapping', () => {
  const idp = useStarted(startSamlIdpPeer, 'the SAML IdP');
  const { hub, tenant, owner } = useHub({ tenants: [{}] });
  let domain = '';
  let connectionId = '';
  let entityId = '';
  let acsUrl = '';
  const usersOf = async () => Number((await owner('users').where({ tenant_id: tenant.id }).count<{ count: string }[]>('* as count'))[0]!.count);

  beforeAll(async () => {
    domain = `saml-${tenant.slug}.example`;
    expect((await hub.request('PUT', `/v1/admin/tenants/${tenant.id}/identity-domains/${domain}`, { admin: true })).status).toBe(200);
    const settings = await hub.request('PUT', '/v1/identity/settings', {
      key: tenant.key,
      body: {
        ssoRequired: false,
        jitProvisioning: true,
        defaultRole: 'viewer',
        breakGlassUserId: null,
        groupRoles: [{ group: 'Engineering', role: 'member' }],
      },
    });
    expect(settings.status).toBe(200);
    const created = await hub.request('POST', '/v1/identity/connections', {
      key: tenant.key,
      body: { type: 'saml', name: 'Corporate SAML', idpMetadataUrl: `${idp.url}/metadata`, emailAttribute: 'email', groupsAttribute: 'groups' },
    });
    expect(created.status).toBe(201);
    connectionId = created.body.connection.id;
    entityId = created.body.connection.setup.spEntityId;
    acsUrl = created.body.connection.setup.acsUrl;
    expect(created.body.connection.saml).toMatchObject({ idpEntityId: idp.entityId, allowIdpInitiated: false });
  });

  /** Starts a sign-in at the hub (an AuthnRequest reaches the IdP) and answers what the response must echo. */
  async function startSignIn(browser: CookieBrowser): Promise<{ id: string; relayState: string }> {
    const atIdp = await browser.follow(`${hub.url}/v1/auth/sso/start?tenant=${tenant.slug}&connection=${connectionId}`);
    expect(atIdp.response.status).toBe(200);
    const request = idp.requests.at(-1)!;
    expect(request.acsUrl).toBe(acsUrl);
    return request;
  }
  const post = (browser: CookieBrowser, xml: string, relayState = '') =>
    browser.send(acsUrl, { form: { SAMLResponse: idp.encode(xml), RelayState: relayState } });
  const refusedWith = async (response: Response, code: string) => {
    const text = await response.text();
    expect({ status: response.status >= 400, code: /data-testid="sso-code">([A-Z_]+)</.exec(text)?.[1] }).toEqual({ status: true, code });
    expect(response.headers.getSetCookie().some((line) => line.startsWith('hub_session='))).toBe(false);
  };

  it('serves SP metadata naming the entity id and ACS', async () => {
    const metadata = await hub.request('GET', `/v1/auth/sso/saml/${connectionId}/metadata`);
    expect(metadata.status).toBe(200);
    expect(metadata.text).toContain(`entityID="${entityId}"`);
    expect(metadata.text).toContain(`Location="${acsUrl}"`);
  });

  it('signs in through the IdP page: JIT user with the mapped role, a SAML session', async () => {
    idp.signInAs = { email: `grace@${domain}`, groups: ['engineering'] };
    const browser = new CookieBrowser();
    const atIdp = await browser.follow(`${hub.url}/v1/auth/sso/start?tenant=${tenant.slug}&connection=${connectionId}`);
    const html = await atIdp.response.text();
    const form = {
      SAMLResponse: /name="SAMLResponse" value="([^"]+)"/.exec(html)![1]!,
      RelayState: /name="RelayState" value="([^"]+)"/.exec(html)![1]!.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))),
    };
    const landed = await browser.send(acsUrl, { form });
    expect(landed.status).toBe(302);
    const session = await browser.send(`${hub.url}/v1/auth/session`);
    const body = (await session.json()) as { user: { email: string; role: string }; session: { method: string } };
    expect(body.user).toMatchObject({ email: `grace@${domain}`, role: 'member' });
    expect(body.session.method).toBe('saml');
  });

  it('accepts a response signed as a whole (message signature) instead of the assertion', async () => {
    const browser = new CookieBrowser();
    const request = await startSignIn(browser);
    const response = await post(
      browser,
      idp.responseXml({ acsUrl, audience: entityId, inResponseTo: request.id, email: `grace@${domain}`, sign: 'response' }),
      request.relayState,
    );
    expect(response.status).toBe(302);
  });

  describe('refused, nothing created', () => {
    const person = () => `mallory-${Math.random().toString(36).slice(2, 8)}@${domain}`;
    type Variant = (context: { id: string }) => string;
    const variants: Array<[string, string, Variant]> = [
      [
        'an unsigned response and assertion',
        'SAML_SIGNATURE',
        ({ id }) => idp.responseXml({ acsUrl, audience: entityId, inResponseTo: id, email: person(), sign: 'none' }),
      ],
      [
        'a signature by a key not in the IdP metadata',
        'SAML_SIGNATURE',
        ({ id }) => idp.responseXml({ acsUrl, audience: entityId, inResponseTo: id, email: person(), rogueKey: true }),
      ],
      [
        'a tampered signed assertion (e-mail changed after signing)',
        'SAML_SIGNATURE',
        ({ id }) =>
          idp.responseXml({ acsUrl, audience: entityId, inResponseTo: id, email: `victim@${domain}` }).replaceAll(`victim@${domain}`, `mallory@${domain}`),
      ],
      [
        'an expired assertion',
        'SAML_EXPIRED',
        ({ id }) => idp.responseXml({ acsUrl, audience: entityId, inResponseTo: id, email: person(), validForMinutes: -10 }),
      ],
      [
        'another Audience',
        'SAML_AUDIENCE',
        ({ id }) => idp.responseXml({ acsUrl, audience: 'https://other-sp.example/metadata', inResponseTo: id, email: person() }),
      ],
      [
        'another Recipient',
        'SAML_RECIPIENT',
        ({ id }) => idp.responseXml({ acsUrl, audience: entityId, inResponseTo: id, email: person(), recipient: 'https://other-sp.example/acs' }),
      ],
      [
        'another Destination',
        'SAML_DESTINATION',
        ({ id }) =>
          idp.responseXml({ acsUrl, audience: entityId, inResponseTo: id, email: person(), destination: 'https://other-sp.example/acs', sign: 'both' }),
      ],
      [
        'an InResponseTo no sign-in asked for',
        'SAML_IN_RESPONSE_TO',
        () => idp.responseXml({ acsUrl, audience: entityId, inResponseTo: '_not-a-request-of-this-hub', email: person() }),
      ],
      ['an IdP-initiated response while that is off', 'SAML_IDP_INITIATED', () => idp.responseXml({ acsUrl, audience: entityId, email: person() })],
      [
        'another issuer',
        'SAML_ISSUER',
        ({ id }) => idp.responseXml({ acsUrl, audience: entityId, inResponseTo: id, email: person(), issuer: 'https://evil-idp.example' }),
      ],
      [
        'wrapping: an unsigned evil assertion beside the signed one',
        'SAML_ASSERTION_COUNT',
        ({ id }) => {
          const signed = idp.responseXml({ acsUrl, audience: entityId, inResponseTo: id, email: `real@${domain}` });
          const evil = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(
            idp.responseXml({ acsUrl, audience: entityId, inResponseTo: id, email: `admin@${domain}`, sign: 'none' }),
          )![0];
          return signed.replace('<saml:Assertion ', `${evil}<saml:Assertion `);
        },
      ],
      [
        'wrapping: the signed assertion hidden in Extensions, an evil one in its place',
        'SAML_ASSERTION_COUNT',
        ({ id }) => {
          const signed = idp.responseXml({ acsUrl, audience: entityId, inResponseTo: id, email: `real@${domain}` });
          const signedAssertion = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(signed)![0];
          const evil = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(
            idp.responseXml({ acsUrl, audience: entityId, inResponseTo: id, email: `admin@${domain}`, sign: 'none' }),
          )![0];
          return signed.replace(signedAssertion, `<samlp:Extensions>${signedAssertion}</samlp:Extensions>${evil}`);
        },
      ],
      [
        'wrapping: an evil assertion inside the signed one (SubjectConfirmationData)',
        'SAML_ASSERTION_COUNT',
        ({ id }) => {
          const signed = idp.responseXml({ acsUrl, audience: entityId, inResponseTo: id, email: `real@${domain}` });
          const evil = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(
            idp.responseXml({ acsUrl, audience: entityId, inResponseTo: id, email: `admin@${domain}`, sign: 'none' }),
          )![0];
          return signed.replace(/(<saml:SubjectConfirmationData[^>]*)\/>/, `$1>${evil}</saml:SubjectConfirmationData>`);
        },
      ],
      [
        'wrapping: a signed response whose assertion was swapped for another',
        'SAML_SIGNATURE',
        ({ id }) => {
          const signed = idp.responseXml({ acsUrl, audience: entityId, inResponseTo: id, email: `real@${domain}`, sign: 'response' });
          const evil = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(
            idp.responseXml({ acsUrl, audience: entityId, inResponseTo: id, email: `admin@${domain}`, sign: 'none' }),
          )![0];
          return signed.replace(/<saml:Assertion[\s\S]*<\/saml:Assertion>/, evil);
        },
      ],
    ];
    it.each(variants)('%s → %s', async (_name, code, variant) => {
      const before = await usersOf();
      const browser = new CookieBrowser();
      const request = await startSignIn(browser);
      await refusedWith(await post(browser, variant(request), request.relayState), code);
      expect(await usersOf()).toBe(before);
    });

    it('a replayed assertion: accepted once, refused the second time', async () => {
      const browser = new CookieBrowser();
      const request = await startSignIn(browser);
      const xml = idp.responseXml({ acsUrl, audience: entityId, inResponseTo: request.id, email: `grace@${domain}`, groups: ['engineering'] });
      expect((await post(browser, xml, request.relayState)).status).toBe(302);
      await refusedWith(await post(new CookieBrowser(), xml, request.relayState), 'SAML_REPLAYED');
      const stored = await owner('identity_saml_assertions').where({ connection_id: connectionId }).select('expires_at');
      expect(stored.length).toBeGreaterThan(0);
    });
  });
});
