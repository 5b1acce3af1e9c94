// Outgoing mail over SMTP (nodemailer, SMTP_URL) or, with no SMTP_URL, the dev outbox: each
// message written as an .eml file in a folder, so a developer can read sign-in codes locally.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Transporter } from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  readonly mode: 'smtp' | 'dev';
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export interface MailerOptions {
  smtpUrl?: string | undefined;
  from: string;
  /** Where the dev outbox keeps messages when there is no SMTP_URL. */
  devOutboxDir: string;
}

export function createMailer(options: MailerOptions): Mailer {
  // nodemailer loads on the first message, not with the server: it is a fifth of the CPU a process
  // spends loading the app, and most processes (CLI commands, many servers) never send mail.
  let transport: Promise<Transporter> | undefined;
  const transportFor = (settings: Parameters<typeof import('nodemailer').createTransport>[0]) =>
    (transport ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(settings)));
  if (options.smtpUrl) {
    const smtpUrl = options.smtpUrl;
    return {
      mode: 'smtp',
      async send(m) {
        await (await transportFor(smtpUrl)).sendMail({
          from: options.from,
          to: m.to,
          subject: m.subject,
          text: m.text,
        });
      },
      close: () => void transport?.then((t) => t.close()),
    };
  }
  return {
    mode: 'dev',
    async send(m) {
      const stream = await transportFor({ streamTransport: true, buffer: true, newline: 'unix' });
      const info = await stream.sendMail({ from: options.from, to: m.to, subject: m.subject, text: m.text });
      mkdirSync(options.devOutboxDir, { recursive: true, mode: 0o700 });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${info.messageId.replace(/[^A-Za-z0-9]/g, '').slice(0, 24)}.eml`;
      writeFileSync(join(options.devOutboxDir, name), info.message as Buffer, { mode: 0o600 });
    },
    close: () => undefined,
  };
}
