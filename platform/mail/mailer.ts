import nodemailer from 'nodemailer';
import { type HubConfig } from '../config';
import { type Logger } from '../logger';

/** One plain-text e-mail. Its text may hold a one-time link: it is never logged. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
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
      await transport.sendMail({ from: config.MAIL_FROM, to: mail.to, subject: mail.subject, text: mail.text });
      return true;
    },
  };
}
