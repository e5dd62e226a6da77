import { type Database } from '../../platform/db';
import { type PlanId } from '../../platform/billing/catalogue';

export interface SignInTenant {
  id: string;
  slug: string;
  status: 'active' | 'suspended';
  plan: PlanId;
  settings: Record<string, unknown>;
}

/**
 * The tenant a sign-in names by slug (e-mails are unique per tenant only). A directory read before
 * anyone is authenticated: it answers only the tenant's own row, never its data.
 */
export async function tenantBySlug(db: Database, slug: string): Promise<SignInTenant | undefined> {
  const row = await db.withPlatform((trx) =>
    trx('tenants').where({ slug: slug.toLowerCase() }).first<SignInTenant | undefined>('id', 'slug', 'status', 'plan', 'settings'),
  );
  return row ?? undefined;
}
