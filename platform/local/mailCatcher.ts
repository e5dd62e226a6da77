import { type AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message a catcher received: envelope recipients, subject, decoded text and the raw message. */
export interface CaughtMail {
  to: string[];
  subject: string;
  text: string;
  raw: string;
}

export interface MailCatcher {
  /** `smtp://127.0.0.1:<port>`: the hub's SMTP_URL. */
  url: string;
  stop(): Promise<void>;
}

/**
 * A local SMTP server that accepts every message and hands it to `onMail` instead of delivering
 * it: `npm start` keeps them as files, tests read the links in them. Plain SMTP on 127.0.0.1
 * without authentication: never for a deployment.
 */
export async function startMailCatcher(options: { port?: number; onMail: (mail: CaughtMail) => void }): Promise<MailCatcher> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        options.onMail({ to: session.envelope.rcptTo.map((address) => address.address.toLowerCase()), ...parseMessage(raw), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Subject and text of a single-part message (what the hub sends), its transfer encoding decoded. */
function parseMessage(raw: string): { subject: string; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(headers)?.[1]?.trim() ?? '';
  const encoding = header('Content-Transfer-Encoding').toLowerCase();
  const text =
    encoding === 'base64'
      ? Buffer.from(body, 'base64').toString('utf8')
      : encoding === 'quoted-printable'
        ? Buffer.from(
            body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
            'latin1',
          ).toString('utf8')
        : body;
  return { subject: header('Subject'), text };
}
