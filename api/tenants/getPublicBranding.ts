import { z } from 'zod';
import { tenantBrandingSchema } from '../../platform/tenants/settings';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { type TenantRow } from './tenantView';

const publicBrandingSchema = z.object({
  tenant: z.object({ slug: z.string().describe('Prefills the sign-in form'), name: z.string() }),
  branding: tenantBrandingSchema.omit({ customDomain: true }),
  customDomain: z.string(),
});

/**
 * What the sign-in page shows on a tenant's own domain. Public (no one is signed in yet), and it
 * answers only for a Host a platform admin approved while the tenant's branding still names it:
 * anything else gets 404, so the route tells nothing about which tenants exist.
 */
export const getPublicBranding = defineRoute({
  method: 'get',
  path: '/v1/auth/branding',
  auth: 'public',
  summary: "The branding and slug of the tenant whose approved custom domain is the request's Host (the branded sign-in page reads it)",
  tags: ['sessions'],
  responses: {
    200: { description: 'The branding of the tenant this domain belongs to', schema: publicBrandingSchema },
    404: { description: 'The Host is not an approved custom domain (NOT_FOUND)' },
  },
  async handler({ deps, req }) {
    const host = req.hostname.toLowerCase().replace(/\.$/, '');
    const row = host
      ? await deps.db.withPlatform((trx) =>
          trx<TenantRow>('tenants')
            .where({ approved_custom_domain: host })
            .whereRaw(`lower(branding->>'customDomain') = ?`, [host])
            .first('slug', 'name', 'branding'),
        )
      : undefined;
    if (!row) throw errors.notFound('Custom domain');
    const parsed = tenantBrandingSchema.safeParse(row.branding);
    const { customDomain: _domain, ...branding } = parsed.success ? parsed.data : {};
    return {
      status: 200,
      headers: { 'Cache-Control': 'no-cache', Vary: 'Host' },
      body: { tenant: { slug: row.slug, name: row.name }, branding, customDomain: host },
    };
  },
});
