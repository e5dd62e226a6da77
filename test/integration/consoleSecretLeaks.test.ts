import { Writable } from 'node:stream';
import { Secret, TOTP } from 'otpauth';
import { asBrowser, inviteAndAccept, linkToken, signIn } from '../support/consoleUsers';
import { useHub, useStarted } from '../support/harness';
import { type TestResponse } from '../support/hub';
import { startSmtpCatcher } from '../support/smtpCatcher';

/**
 * Console credentials at debug logging: no password, session secret, link token, TOTP secret or
 * recovery code in any other response body, log line or database column (only their hashes, or the
 * vault's ciphertext, in the columns made for them).
 */
describe('no console password, session secret, link token, TOTP secret or recovery code leaks', () => {
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  const smtp = useStarted(startSmtpCatcher, 'the SMTP catcher');
  const { hub, tenant, owner } = useHub({ env: () => ({ SMTP_URL: smtp.url, LOG_LEVEL: 'debug' }), logDestination: sink, tenants: [{}] });

  it('an invite, sign-ins, a bad sign-in, a reset and sign-outs leave no secret behind', async () => {
    const responses: TestResponse[] = [];
    const user = await inviteAndAccept(hub, smtp, tenant, 'admin');
    const inviteToken = linkToken(smtp.messages.find((mail) => mail.to.includes(user.email))!.text);
    const first = await signIn(hub, tenant, user.email, user.password);
    responses.push(first.response, await signIn(hub, tenant, user.email, `${user.password}-wrong`).then((attempt) => attempt.response));
    const browser = asBrowser(hub, first.session);
    responses.push(await browser('GET', '/v1/auth/session'), await browser('GET', '/v1/users'), await browser('GET', '/v1/audit-logs?limit=100'));
    responses.push(await hub.request('POST', '/v1/auth/password-resets', { body: { tenant: tenant.slug, email: user.email } }));
    const resetToken = linkToken((await smtp.waitFor(user.email, 'Reset')).text);
    const newPassword = 'the new secret passphrase';
    responses.push(await hub.request('POST', '/v1/auth/password-resets/complete', { body: { token: resetToken, password: newPassword } }));
    const second = await signIn(hub, tenant, user.email, newPassword);
    const secondBrowser = asBrowser(hub, second.session);
    // The TOTP secret and the recovery codes are shown once, in these two answers, and nowhere else.
    const enrolment = await secondBrowser('POST', '/v1/auth/mfa/enrolment', { csrf: true });
    const totpSecret = enrolment.body.secret as string;
    const confirmed = await secondBrowser('POST', '/v1/auth/mfa/enrolment/confirm', {
      csrf: true,
      body: { totpCode: new TOTP({ secret: Secret.fromBase32(totpSecret) }).generate() },
    });
    const recoveryCodes = confirmed.body.recoveryCodes as string[];
    expect(recoveryCodes).toHaveLength(10);
    const third = await signIn(hub, tenant, user.email, newPassword, {});
    responses.push(
      third.response,
      await hub.request('POST', '/v1/auth/sign-in', {
        body: { tenant: tenant.slug, email: user.email, password: newPassword, recoveryCode: recoveryCodes[0] },
      }),
    );
    responses.push(
      second.response,
      await secondBrowser('GET', '/v1/auth/session'),
      await secondBrowser('POST', '/v1/auth/sign-out-everywhere', { csrf: true }),
    );
    await hub.stop();

    const sessionSecrets = [first.session, second.session].map((session) => /hub_session=([^;]+)/.exec(session.cookie)![1]!);
    const tokens = [inviteToken, resetToken, ...sessionSecrets];
    const needles = [
      user.password,
      `${user.password}-wrong`,
      newPassword,
      ...tokens,
      ...tokens.map((token) => token.split('.')[1]!),
      totpSecret,
      ...recoveryCodes,
    ];
    const logs = logLines.join('');
    expect(logs.length).toBeGreaterThan(0);
    expect(needles.filter((needle) => logs.includes(needle))).toEqual([]);
    const bodies = responses.map((response) => response.text).join('\n');
    expect(needles.filter((needle) => bodies.includes(needle))).toEqual([]);

    const tables = (await owner.raw(`select tablename from pg_tables where schemaname = 'public'`)).rows as Array<{ tablename: string }>;
    const found: string[] = [];
    for (const { tablename } of tables) {
      const rows = (await owner.raw(`select t::text as row from ?? t`, [tablename])).rows as Array<{ row: string }>;
      for (const { row } of rows) for (const needle of needles) if (row.includes(needle)) found.push(`${tablename}: ${needle.slice(0, 6)}…`);
    }
    expect(found).toEqual([]);
  });
});
