import { startMailCatcher, type CaughtMail } from '../../platform/local/mailCatcher';
import { eventually } from './eventually';

export { type CaughtMail } from '../../platform/local/mailCatcher';

/** The local SMTP catcher of a test file (the hub's SMTP_URL points at it), with what it caught. */
export interface SmtpCatcher {
  url: string;
  messages: CaughtMail[];
  /** The newest message to `to` whose subject contains `subject`, waited for. */
  waitFor(to: string, subject: string, timeoutMs?: number): Promise<CaughtMail>;
  stop(): Promise<void>;
}

/** Starts a catcher on a free port; pass it to `useStarted`. */
export async function startSmtpCatcher(): Promise<SmtpCatcher> {
  const messages: CaughtMail[] = [];
  const catcher = await startMailCatcher({ onMail: (mail) => messages.push(mail) });
  return {
    url: catcher.url,
    messages,
    waitFor(to, subject, timeoutMs = 10_000) {
      return eventually(
        () => messages.filter((mail) => mail.to.includes(to.toLowerCase()) && mail.subject.includes(subject)).at(-1),
        timeoutMs,
        `an e-mail to ${to} about "${subject}"`,
        50,
      );
    },
    stop: catcher.stop,
  };
}
