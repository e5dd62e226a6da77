import { type Role } from '../../api/auth/roles';
import { type CreatedTenant, type TestHub, type TestResponse } from './hub';
import { type SmtpCatcher } from './smtpCatcher';

/** A console user who accepted an invite and has a password. */
export interface ConsoleUser {
  id: string;
  email: string;
  password: string;
}

/** A signed-in browser: the cookies it holds and the CSRF token the console sends on changes. */
export interface ConsoleSession {
  cookie: string;
  csrfToken: string;
  setCookies: string[];
}

/** The token of the one-time link in an e-mail's text. */
export function linkToken(text: string): string {
  const match = /#token=([A-Za-z0-9._-]+)/.exec(text);
  if (!match) throw new Error(`no link in the e-mail: ${text}`);
  return match[1]!;
}

/** Creates a user, e-mails the invite, and accepts it from the caught e-mail's link with a password. */
export async function inviteAndAccept(hub: TestHub, smtp: SmtpCatcher, tenant: CreatedTenant, role: Role): Promise<ConsoleUser> {
  const email = `${role}-${Math.random().toString(36).slice(2, 10)}@console.test`;
  const created = await hub.request('POST', '/v1/users', { key: tenant.key, body: { email, name: `A ${role}`, role } });
  if (created.status !== 201) throw new Error(`create user: ${created.status} ${created.text}`);
  const invited = await hub.request('POST', `/v1/users/${created.body.user.id}/invitation`, { key: tenant.key });
  if (invited.status !== 202) throw new Error(`invite: ${invited.status} ${invited.text}`);
  const mail = await smtp.waitFor(email, 'invited');
  const password = `correct horse ${Math.random().toString(36).slice(2)}`;
  const accepted = await hub.request('POST', '/v1/auth/invitations/accept', { body: { token: linkToken(mail.text), password } });
  if (accepted.status !== 200) throw new Error(`accept: ${accepted.status} ${accepted.text}`);
  return { id: created.body.user.id, email, password };
}

/** Signs in and answers the response and, on success, the session as a browser would hold it. */
export async function signIn(
  hub: TestHub,
  tenant: Pick<CreatedTenant, 'slug'>,
  email: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<{ response: TestResponse; session: ConsoleSession }> {
  const response = await hub.request('POST', '/v1/auth/sign-in', { body: { tenant: tenant.slug, email, password }, headers });
  const setCookies = response.headers.getSetCookie();
  const cookie = setCookies.map((line) => line.split(';')[0]).join('; ');
  return { response, session: { cookie, csrfToken: response.body?.csrfToken ?? '', setCookies } };
}

/** Calls the API as the signed-in browser; `csrf: true` adds the X-CSRF-Token header. */
export function asBrowser(hub: TestHub, session: ConsoleSession) {
  return (method: string, path: string, options: { body?: unknown; csrf?: boolean; headers?: Record<string, string> } = {}) =>
    hub.request(method, path, {
      body: options.body,
      headers: { Cookie: session.cookie, ...(options.csrf ? { 'X-CSRF-Token': session.csrfToken } : {}), ...(options.headers ?? {}) },
    });
}
