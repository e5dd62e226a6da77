import nodemailer from 'nodemailer';
import { type HubConfig } from '../config';
import { type Logger } from '../logger';

/** One plain-text e-mail. Its text may hold a one-time link: it is never logged. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

/**
 * The SMTP server refused every recipient for good (a 5xx answer to RCPT TO): the address, not the
 * server, is at fault, so retrying will not help.
 */
export class RecipientRejectedError extends Error {
  constructor(readonly smtpResponse: string) {
    super(`The mail server refused the recipient address: ${smtpResponse}`);
    this.name = 'RecipientRejectedError';
  }
}

/** Sends the hub's e-mails (invites, password resets) through SMTP. */
export interface Mailer {
  /** Resolves once the SMTP server accepted the message; false when no SMTP server is configured. */
  send(mail: OutgoingMail): Promise<boolean>;
}

export function createMailer(config: Pick<HubConfig, 'SMTP_URL' | 'MAIL_FROM'>, logger: Logger): Mailer {
  const transport = config.SMTP_URL ? nodemailer.createTransport(config.SMTP_URL) : undefined;
  return {
    async send(mail) {
      if (!transport) {
        logger.warn({ subject: mail.subject }, 'e-mail not sent: SMTP_URL is not set');
        return false;
      }
      try {
        await transport.sendMail({ from: config.MAIL_FROM, to: mail.to, subject: mail.subject, text: mail.text });
      } catch (error) {
        const smtp = error as { code?: string; responseCode?: number; response?: string };
        if (smtp.code === 'EENVELOPE' && typeof smtp.responseCode === 'number' && smtp.responseCode >= 500)
          throw new RecipientRejectedError(smtp.response ?? String(smtp.responseCode));
        throw error;
      }
      return true;
    },
  };
}
