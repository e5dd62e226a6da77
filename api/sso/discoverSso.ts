import { z } from 'zod';
import { emailDomain, tenantOfVerifiedDomain } from '../../platform/identity/domains';
import { ApiError } from '../errors';
import { defineRoute } from '../http/route';
import { tenantBySlug } from '../sessions/tenantBySlug';

/**
 * Home-realm discovery: the sign-in page asks which organisation and identity providers an e-mail
 * (its verified domain) or a tenant slug signs in with. Answers only what a sign-in page shows.
 */
export const discoverSso = defineRoute({
  method: 'post',
  path: '/v1/auth/sso/discovery',
  auth: 'public',
  summary: "Find the organisation and SSO connections for an e-mail address's verified domain, or for a tenant slug (home-realm discovery)",
  tags: ['sso'],
  body: z
    .strictObject({
      email: z.string().min(3).max(320).optional(),
      tenant: z.string().min(1).max(48).optional().describe('The tenant slug, for a tenant login URL'),
    })
    .refine((body) => (body.email === undefined) !== (body.tenant === undefined), 'send exactly one of email, tenant')
    .meta({ oneOf: [{ required: ['email'] }, { required: ['tenant'] }] }),
  responses: {
    200: {
      description: 'The organisation and its enabled connections; start one with GET /v1/auth/sso/start',
      schema: z.object({
        tenant: z.string().describe('The tenant slug'),
        ssoRequired: z.boolean(),
        connections: z.array(z.object({ id: z.uuid(), name: z.string(), type: z.enum(['oidc', 'saml']), startUrl: z.string() })),
      }),
    },
    404: { description: 'No organisation verified this domain, or it has no enabled connection (SSO_NOT_CONFIGURED)' },
  },
  async handler({ deps, body }) {
    let tenantId: string | undefined;
    let slug: string | undefined;
    if (body.email) {
      tenantId = await tenantOfVerifiedDomain(deps.db, emailDomain(body.email));
    } else {
      const tenant = await tenantBySlug(deps.db, body.tenant!);
      tenantId = tenant?.id;
      slug = tenant?.slug;
    }
    const found = tenantId
      ? await deps.db.withTenant(tenantId, async (trx) => {
          const tenant = await trx('tenants').where({ id: tenantId }).first<{ slug: string }>('slug');
          const settings = await trx('identity_settings').first<{ sso_required: boolean } | undefined>('sso_required');
          const connections = await trx('identity_connections')
            .where({ enabled: true })
            .orderBy('created_at')
            .select<Array<{ id: string; name: string; type: 'oidc' | 'saml' }>>('id', 'name', 'type');
          return { slug: slug ?? tenant.slug, ssoRequired: settings?.sso_required ?? false, connections };
        })
      : undefined;
    if (!found || found.connections.length === 0) {
      throw new ApiError(404, 'SSO_NOT_CONFIGURED', 'No single sign-on is set up for this address or organisation');
    }
    const hint = body.email ? `&login_hint=${encodeURIComponent(body.email)}` : '';
    return {
      status: 200,
      body: {
        tenant: found.slug,
        ssoRequired: found.ssoRequired,
        connections: found.connections.map((connection) => ({
          ...connection,
          startUrl: `/v1/auth/sso/start?tenant=${encodeURIComponent(found.slug)}&connection=${connection.id}${hint}`,
        })),
      },
    };
  },
});
