import { randomUUID } from 'node:crypto';
import { type Request, type Response } from 'express';
import { appendAudit } from '../../platform/audit';
import { resolveRoleForGroups } from '../../platform/identity/groupRoles';
import { identitySettingsOf, isVerifiedDomainOfTenant } from '../../platform/identity/identitySettings';
import { type IdentityConnectionRow } from '../../platform/identity/connections';
import { type ApiDeps } from '../deps';
import { startSession, type SessionMethod } from '../sessions/startSession';
import { type SignInTenant } from '../sessions/tenantBySlug';
import { ApiError } from '../errors';
import { assertAnotherActiveAdmin } from '../users/lastAdmin';
import { type UserRow } from '../users/userView';
import { SsoRefusal } from './ssoRefusal';

/** Who the identity provider says signed in, after every check of its answer passed. */
export interface ProvenIdentity {
  email: string;
  name?: string;
  /** The person's groups, when the connection names where they are; undefined leaves the role alone. */
  groups?: string[];
  subject: string;
}

/**
 * Turns a proven identity into a console session: the e-mail must be in a domain the tenant
 * verified; an unknown person is created with the role their groups map to when just-in-time
 * provisioning is on (refused otherwise); a known person's role follows their groups at every
 * sign-in (never the break-glass admin's, never leaving the tenant without an admin).
 */
export async function completeSsoSignIn(
  deps: ApiDeps,
  ctx: { req: Request; res: Response },
  who: { tenant: SignInTenant; connection: IdentityConnectionRow; identity: ProvenIdentity; method: SessionMethod },
): Promise<{ userId: string; created: boolean }> {
  const { tenant, connection, identity } = who;
  if (tenant.status !== 'active') throw new SsoRefusal('TENANT_SUSPENDED', 'This organisation is suspended.', 403);
  const email = identity.email.trim().toLowerCase();
  const actor = (userId?: string, role?: string) => ({
    type: 'user' as const,
    id: userId,
    role,
    ip: ctx.req.ip,
    requestId: String(ctx.req.id ?? '') || undefined,
  });
  return deps.db.withTenant(tenant.id, async (trx) => {
    if (!(await isVerifiedDomainOfTenant(trx, email))) {
      throw new SsoRefusal('DOMAIN_NOT_VERIFIED', `The e-mail address ${email} is not in a domain this organisation verified.`, 403);
    }
    const settings = await identitySettingsOf(trx);
    let user = await trx<UserRow>('users').whereRaw('lower(email) = ?', [email]).forUpdate().first();
    let created = false;
    if (!user) {
      if (!settings.jitProvisioning) {
        throw new SsoRefusal('NO_ACCOUNT', `There is no console user ${email} in this organisation; ask an admin to invite you.`, 403);
      }
      const role = await resolveRoleForGroups(trx, identity.groups ?? []);
      [user] = await trx<UserRow>('users')
        .insert({ id: randomUUID(), tenant_id: tenant.id, email, name: identity.name?.trim() || email, role, status: 'active' })
        .returning('*');
      created = true;
      await appendAudit(trx, {
        tenantId: tenant.id,
        actor: { type: 'system', requestId: String(ctx.req.id ?? '') || undefined },
        action: 'user.created',
        target: { type: 'user', id: user!.id },
        details: { after: { email, role, status: 'active' }, via: 'sso_jit', connectionId: connection.id, groups: identity.groups ?? [] },
      });
    } else {
      if (user.status === 'suspended') throw new SsoRefusal('USER_NOT_ACTIVE', 'Your console account is suspended.', 403);
      const changes: Partial<UserRow> = {};
      if (user.status === 'invited') changes.status = 'active';
      if (identity.groups !== undefined && user.id !== settings.breakGlassUserId) {
        const role = await resolveRoleForGroups(trx, identity.groups);
        if (role !== user.role) {
          try {
            if (role !== 'admin') await assertAnotherActiveAdmin(trx, user);
            changes.role = role;
          } catch (error) {
            // The last admin keeps the role: an IdP group change must not lock the tenant out.
            if (!(error instanceof ApiError)) throw error;
          }
        }
      }
      if (Object.keys(changes).length > 0) {
        const [updated] = await trx<UserRow>('users')
          .where({ id: user.id })
          .update({ ...changes, updated_at: trx.fn.now() as never })
          .returning('*');
        await appendAudit(trx, {
          tenantId: tenant.id,
          actor: { type: 'system', requestId: String(ctx.req.id ?? '') || undefined },
          action: 'user.updated',
          target: { type: 'user', id: user.id },
          details: {
            before: { role: user.role, status: user.status },
            after: { role: updated!.role, status: updated!.status },
            via: 'sso_sign_in',
            connectionId: connection.id,
          },
        });
        user = updated!;
      }
    }
    const opened = await startSession(
      trx,
      { config: deps.config, req: ctx.req, res: ctx.res },
      // The identity provider is the second factor's home for SSO people: the hub's TOTP is for passwords.
      { tenantId: tenant.id, plan: tenant.plan, settings: tenant.settings, userId: user!.id, method: who.method, mfaPending: false },
    );
    await trx('users').where({ id: user!.id }).update({ last_active_at: trx.fn.now() });
    await appendAudit(trx, {
      tenantId: tenant.id,
      actor: actor(user!.id, user!.role),
      action: 'user.signed_in',
      target: { type: 'user', id: user!.id },
      details: { method: who.method, connectionId: connection.id, subject: identity.subject, sessionId: opened.session.id },
    });
    return { userId: user!.id, created };
  });
}
