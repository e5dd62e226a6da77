import fs from 'node:fs';
import path from 'node:path';
import { startMailCatcher, type MailCatcher } from './mailCatcher';

/**
 * `npm start`'s mail server when SMTP_URL is unset: every e-mail the hub sends (invites, password
 * resets) is saved as `<data dir>/mail/<time>-<recipient>.eml`, so the first-run path can follow
 * the links without a real mailbox; each link is printed decoded as well.
 */
export async function startLocalMail(dataDirectory: string, log: (line: string) => void): Promise<MailCatcher> {
  const directory = path.join(dataDirectory, 'mail');
  fs.mkdirSync(directory, { recursive: true });
  const catcher = await startMailCatcher({
    onMail(mail) {
      const recipient = (mail.to[0] ?? 'unknown').replace(/[^a-z0-9@._-]/gi, '_');
      const file = path.join(directory, `${new Date().toISOString().replace(/[:.]/g, '-')}-${recipient}.eml`);
      fs.writeFileSync(file, mail.raw, { mode: 0o600 });
      log(`mail: "${mail.subject}" to ${mail.to.join(', ')} saved in ${file}`);
      // The .eml is quoted-printable (long lines wrap, "=" is "=3D"): the decoded link, ready to open.
      for (const link of mail.text.match(/https?:\/\/\S+#token=\S+/g) ?? []) log(`mail: its link: ${link}`);
    },
  });
  log(`mail: catching e-mail on ${catcher.url}`);
  return catcher;
}
