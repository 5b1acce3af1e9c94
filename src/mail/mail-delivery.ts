// The process's mail delivery: one mailer built from SMTP_URL/MAIL_FROM (or the dev outbox
// folder), and one send loop at a time. The webhook intake calls it after a magic_auth.created
// event applies; directory sync calls it after a reconciliation that may have ingested one.
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { Database } from '../store/schema.ts';
import { deliverPendingMail } from './mail-sender.ts';
import { createMailer, type Mailer } from './mailer.ts';

export interface MailDeliveryDeps {
  db: Kysely<Database>;
  /** The sign-in code of a magic auth, from the provider; without it no mail is sent. */
  magicAuthCode?: (id: string) => Promise<{ code: string; expiresAt: string }>;
  mailer?: Mailer;
}

export interface MailDelivery {
  /** Sends what is queued; resolves with the number sent. A second caller shares the running loop. */
  deliver(): Promise<number>;
  close(): void;
}

export function createMailDelivery(config: Config, deps: MailDeliveryDeps): MailDelivery {
  const mailer =
    deps.mailer ??
    createMailer({
      smtpUrl: config.SMTP_URL,
      from: config.MAIL_FROM,
      devOutboxDir: join(config.GATEHOUSE_DATA_DIR, 'outbox'),
    });
  const magicAuthCode = deps.magicAuthCode;
  let run: Promise<number> | null = null;
  return {
    deliver() {
      if (!magicAuthCode) return Promise.resolve(0);
      run ??= deliverPendingMail({ db: deps.db, mailer, magicAuthCode }).finally(() => {
        run = null;
      });
      return run;
    },
    close: () => mailer.close(),
  };
}
