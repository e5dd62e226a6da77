import { type Request, type Response } from 'express';
import { appendAudit } from '../../platform/audit';
import { type IdentityConnectionRow } from '../../platform/identity/connections';
import { type LoginStateRow } from '../../platform/identity/loginStates';
import { type ApiDeps } from '../deps';
import { tenantBySlug, type SignInTenant } from '../sessions/tenantBySlug';
import { completeSsoSignIn, type ProvenIdentity } from './completeSsoSignIn';
import { renderSsoPage, renderSsoRefusal, SsoRefusal } from './ssoRefusal';
import { safeNextPath } from './ssoUrls';

/** The tenant row a sign-in needs (slug lookup is by slug; here we have the id). */
export async function signInTenantById(deps: ApiDeps, tenantId: string): Promise<SignInTenant> {
  const row = await deps.db.withTenant(tenantId, (trx) => trx('tenants').where({ id: tenantId }).first<{ slug: string } | undefined>('slug'));
  const tenant = row ? await tenantBySlug(deps.db, row.slug) : undefined;
  if (!tenant) throw new SsoRefusal('SSO_NOT_CONFIGURED', 'No such organisation.');
  return tenant;
}

/**
 * The common end of an OIDC callback and a SAML response, once the protocol's checks passed: a test
 * sign-in keeps the claims for the console and shows them; a real one becomes a session and goes to
 * the console.
 */
export async function finishSsoSignIn(
  deps: ApiDeps,
  ctx: { req: Request; res: Response },
  done: {
    state: LoginStateRow | undefined;
    connection: IdentityConnectionRow;
    identity: ProvenIdentity;
    claims: Record<string, unknown>;
    method: 'oidc' | 'saml';
  },
): Promise<void> {
  const { state, connection } = done;
  if (state?.purpose === 'test') {
    await deps.db.withTenant(connection.tenant_id, (trx) =>
      trx('identity_login_states')
        .where({ id: state.id })
        .update({ result: JSON.stringify({ outcome: 'succeeded', claims: done.claims, identity: done.identity }) }),
    );
    renderSsoPage(ctx.res, {
      status: 200,
      title: 'Test sign-in succeeded',
      message: 'The identity provider signed you in. These are the claims the hub received; you can close this window.',
      details: Object.entries(done.claims).map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)]),
    });
    return;
  }
  const tenant = await signInTenantById(deps, connection.tenant_id);
  await completeSsoSignIn(deps, ctx, { tenant, connection, identity: done.identity, method: done.method });
  ctx.res.set('Cache-Control', 'no-store').redirect(302, safeNextPath(state?.next_path));
}

/** Renders a refusal; audits it in the tenant's log when the tenant is known; a test sign-in keeps it for the console. */
export async function refuseSsoSignIn(
  deps: ApiDeps,
  ctx: { req: Request; res: Response },
  error: unknown,
  known: { tenantId?: string; connectionId?: string; state?: LoginStateRow; email?: string },
): Promise<void> {
  const refusal = error instanceof SsoRefusal ? error : undefined;
  if (!refusal) deps.logger.error({ err: error, connectionId: known.connectionId }, 'SSO sign-in failed');
  if (known.tenantId) {
    const code = refusal?.code ?? 'SSO_FAILED';
    try {
      await deps.db.withTenant(known.tenantId, async (trx) => {
        if (known.state?.purpose === 'test') {
          await trx('identity_login_states')
            .where({ id: known.state.id })
            .update({ result: JSON.stringify({ outcome: 'refused', code, message: refusal?.message ?? 'failed' }) });
        }
        await appendAudit(trx, {
          tenantId: known.tenantId!,
          actor: { type: 'system', ip: ctx.req.ip, requestId: String(ctx.req.id ?? '') || undefined },
          action: 'user.sso_sign_in_refused',
          details: { code, connectionId: known.connectionId ?? null, ...(known.email ? { email: known.email } : {}) },
        });
      });
    } catch (auditError) {
      deps.logger.error({ err: auditError }, 'could not record the refused SSO sign-in');
    }
  }
  renderSsoRefusal(ctx.res, error);
}
