import cssesc from 'cssesc';
import { tenantBrandingSchema } from '../../platform/tenants/settings';
import { errors } from '../errors';
import { defineRoute, RESPONDED } from '../http/route';
import { type TenantRow } from './tenantView';

/** Colours used when a tenant has not chosen its own. */
const DEFAULT_PRIMARY = '#1a56db';
const DEFAULT_SECONDARY = '#64748b';

/** The tenant's branding as CSS custom properties (values escaped with cssesc). */
export function renderThemeCss(branding: ReturnType<typeof tenantBrandingSchema.parse>): string {
  const string = (value: string) => `"${cssesc(value, { quotes: 'double' })}"`;
  const lines = [
    `  --hub-color-primary: ${branding.primaryColor ?? DEFAULT_PRIMARY};`,
    `  --hub-color-secondary: ${branding.secondaryColor ?? DEFAULT_SECONDARY};`,
  ];
  if (branding.companyName) lines.push(`  --hub-company-name: ${string(branding.companyName)};`);
  if (branding.logoUrl) lines.push(`  --hub-logo-url: url(${string(branding.logoUrl)});`);
  if (branding.customDomain) lines.push(`  --hub-custom-domain: ${string(branding.customDomain)};`);
  return `/* Integration Hub theme */\n:root {\n${lines.join('\n')}\n}\n`;
}

export const getThemeCss = defineRoute({
  method: 'get',
  path: '/v1/tenant/theme.css',
  auth: 'tenant',
  summary: "The tenant's branding as CSS custom properties (--hub-color-primary, --hub-logo-url, …)",
  tags: ['tenant'],
  responses: { 200: { description: 'A stylesheet', contentType: 'text/css' } },
  async handler({ deps, principal, res }) {
    const [row] = await deps.db.readAsTenant<Pick<TenantRow, 'branding'>>(
      principal.tenantId,
      deps.db.knex('tenants').where({ id: principal.tenantId }).select('branding'),
    );
    if (!row) throw errors.notFound('Tenant');
    const branding = tenantBrandingSchema.safeParse(row.branding);
    res.status(200).type('text/css; charset=utf-8').setHeader('Cache-Control', 'private, max-age=300');
    res.send(renderThemeCss(branding.success ? branding.data : {}));
    return RESPONDED;
  },
});
