// magic_auth.created: queue the sign-in code mail. The queue row is keyed by the event id, so the
// same event never mails twice; the code itself is not stored — the sender fetches it from the
// provider at send time (mail-sender.ts), so no sign-in code rests in our database.
import { z } from 'zod';
import { newId } from '../core/ids.ts';
import { parseData, type ApplyContext, type ApplyOutcome } from './context.ts';

const MagicAuthSchema = z.object({ id: z.string(), email: z.string(), user_id: z.string().nullish() });

export async function onMagicAuthCreated(ctx: ApplyContext): Promise<ApplyOutcome> {
  const m = parseData(MagicAuthSchema, ctx);
  await ctx.tx
    .insertInto('mail_outbox')
    .values({
      id: newId('mail'),
      event_id: ctx.event.id,
      to_address: m.email,
      template: 'magic_auth_code',
      reference: m.id,
      status: 'pending',
    })
    .onConflict((oc) => oc.column('event_id').doNothing())
    .execute();
  return 'applied';
}
