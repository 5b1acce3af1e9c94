// Test support for the webhook and directory suites: a Gatehouse HTTP app with the receiver on a
// store, a recording AccessRevoker, signed deliveries, and a reader of the mirror's state.
import type { Kysely } from 'kysely';
import type { RevocationEvent } from '../../src/core/auth-context.ts';
import type { AccessRevoker } from '../../src/mirror/context.ts';
import { createHttpApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/logger.ts';
import type { Database } from '../../src/store/schema.ts';
import type { Store } from '../../src/store/store.ts';
import { asSystem } from '../../src/store/tenant.ts';
import {
  createWebhookReceiver,
  type WebhookReceiver,
  type WebhookReceiverOptions,
} from '../../src/webhooks/receiver.ts';
import { signWebhookPayload } from '../../src/webhooks/signature.ts';

export const SECRET = 'whsec_test_current_0123456789';
export const PREVIOUS_SECRET = 'whsec_test_previous_0123456789';

export function recordingRevoker(): AccessRevoker & { events: RevocationEvent[] } {
  const events: RevocationEvent[] = [];
  return { events, revoke: async (_tx, e) => void events.push(e) };
}

export function webhookApp(store: Store, options: Partial<WebhookReceiverOptions> = {}) {
  const access = options.access ?? recordingRevoker();
  const receiver: WebhookReceiver = createWebhookReceiver({ db: store.db, access, secrets: [SECRET], ...options });
  const app = createHttpApp({ store, logger: createLogger('silent'), webhookRoutes: receiver.routes });
  return { app, receiver, access };
}

let seq = 0;
/** A WorkOS-shaped event with a time-ordered id. */
export function makeEvent(
  event: string,
  data: Record<string, unknown>,
  at = new Date(),
): { id: string; event: string; data: Record<string, unknown>; created_at: string } {
  seq++;
  return {
    id: `event_${at.getTime().toString(36).padStart(10, '0')}${String(seq).padStart(8, '0')}`,
    event,
    data,
    created_at: at.toISOString(),
  };
}

export function deliver(
  app: { request: (path: string, init: RequestInit) => Response | Promise<Response> },
  body: string,
  header: string | null,
) {
  return app.request('/webhooks/workos', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(header === null ? {} : { 'workos-signature': header }) },
    body,
  });
}

export function signed(body: string, secret = SECRET, at = Date.now()): string {
  return signWebhookPayload(body, secret, at);
}

export async function countRows(
  db: Kysely<Database>,
  table: 'webhook_events' | 'directory_users' | 'audit_events' | 'organization_memberships',
): Promise<number> {
  return asSystem(db, 'test reads', async (tx) =>
    Number(
      (
        await tx
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
  );
}

/** The mirror's directory state of one organization, in a comparable shape. */
export async function mirrorDirectoryState(db: Kysely<Database>, organizationId: string) {
  return asSystem(db, 'test reads the mirror', async (tx) => {
    const users = await tx
      .selectFrom('directory_users')
      .select(['id', 'email', 'first_name', 'last_name', 'state'])
      .where('organization_id', '=', organizationId)
      .where('deleted_at', 'is', null)
      .orderBy('id')
      .execute();
    const groups = await tx
      .selectFrom('directory_groups')
      .select(['id', 'name'])
      .where('organization_id', '=', organizationId)
      .where('deleted_at', 'is', null)
      .orderBy('id')
      .execute();
    const members = await tx
      .selectFrom('directory_group_members')
      .select(['group_id', 'directory_user_id'])
      .where('organization_id', '=', organizationId)
      .where('present', '=', true)
      .orderBy('group_id')
      .orderBy('directory_user_id')
      .execute();
    const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);
    return {
      users: users.sort(byId),
      groups: groups.sort(byId),
      members: members.map((m) => `${m.group_id}|${m.directory_user_id}`).sort(),
    };
  });
}
