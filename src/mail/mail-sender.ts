// Sends queued mail (mail_outbox). Rows are claimed with FOR UPDATE SKIP LOCKED, so instances
// sharing one database never send the same row twice at once; a row is marked sent in the same
// transaction that claimed it. Delivery is at least once: if the process dies after the SMTP
// server accepted a message but before the commit, that one message may go out again.
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '../store/schema.ts';
import { asSystem } from '../store/tenant.ts';
import type { Mailer, MailMessage } from './mailer.ts';

export interface MailSenderDeps {
  db: Kysely<Database>;
  mailer: Mailer;
  /** The sign-in code of a magic auth and its expiry, from the provider. */
  magicAuthCode(id: string): Promise<{ code: string; expiresAt: string }>;
  now?: () => number;
}

const MAX_ATTEMPTS = 5;

/** A message that must not be sent any more (an expired code): not retried. */
class Undeliverable extends Error {}

async function render(
  deps: MailSenderDeps,
  template: string,
  reference: string | null,
  to: string,
): Promise<MailMessage> {
  if (template === 'magic_auth_code' && reference) {
    const { code, expiresAt } = await deps.magicAuthCode(reference);
    // A code learned late (say, through reconciliation) that has expired would only confuse.
    if (Date.parse(expiresAt) <= (deps.now ?? Date.now)())
      throw new Undeliverable('the sign-in code expired before it could be sent');
    return {
      to,
      subject: 'Your sign-in code',
      text: `Your sign-in code is ${code}. It expires in 10 minutes.\n\nIf you did not ask to sign in, ignore this message.`,
    };
  }
  throw new Error(`no mail template ${template}`);
}

/** Sends every pending message; resolves to how many went out. */
export async function deliverPendingMail(deps: MailSenderDeps, batchSize = 20): Promise<number> {
  let sent = 0;
  for (;;) {
    const done = await asSystem(deps.db, 'mail outbox is global', async (tx) => {
      const rows = await tx
        .selectFrom('mail_outbox')
        .select(['id', 'to_address', 'template', 'reference', 'attempts'])
        .where('status', '=', 'pending')
        .orderBy('created_at')
        .limit(batchSize)
        .forUpdate()
        .skipLocked()
        .execute();
      let n = 0;
      for (const row of rows) {
        try {
          await deps.mailer.send(await render(deps, row.template, row.reference, row.to_address));
          await tx
            .updateTable('mail_outbox')
            .set({
              status: deps.mailer.mode === 'smtp' ? 'sent' : 'dev',
              sent_at: sql`now()`,
              attempts: row.attempts + 1,
            })
            .where('id', '=', row.id)
            .execute();
          n++;
        } catch (error) {
          // The error's class and message only: SMTP errors do not echo the body, and the code is never in it.
          const reason = error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : 'send failed';
          const final = error instanceof Undeliverable || row.attempts + 1 >= MAX_ATTEMPTS;
          await tx
            .updateTable('mail_outbox')
            .set({ attempts: row.attempts + 1, last_error: reason, status: final ? 'failed' : 'pending' })
            .where('id', '=', row.id)
            .execute();
        }
      }
      return { claimed: rows.length, n };
    });
    sent += done.n;
    if (done.claimed < batchSize || done.n === 0) return sent;
  }
}
