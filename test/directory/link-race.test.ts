// A directory's deletion tombstones its users without taking their emails' link locks. If the
// person's user.created links one of those users at the same moment, the link must see the
// tombstone it waited for, not the active row it read before: the person ends without access.
// The interleaving is made, not hoped for: the tombstone's transaction stays open until the
// linking transaction is seen waiting on its row lock (pg_stat_activity), then commits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asSystem } from '../../src/store/tenant.ts';
import { ingestEvent } from '../../src/webhooks/inbox.ts';
import { sessionEndingRevoker } from '../support/access-fixtures.ts';
import { postgresStoreForSuite } from '../support/stores.ts';

const ORG = 'org_race';
const DIRECTORY = 'directory_race';
const USER = 'user_race';
const EMAIL = 'pat@race.test';

describe('linking a directory user while its directory is deleted', () => {
  const { skip, store } = postgresStoreForSuite('the interleaving needs two PostgreSQL connections');

  it('leaves the person no membership and no session', { skip, timeout: 120_000 }, async () => {
    const db = store().db;
    const access = sessionEndingRevoker(db);
    let n = 0;
    const apply = (event: string, data: Record<string, unknown>) =>
      ingestEvent(
        { db, access },
        { id: `event_race_${n}`, event, data, created_at: new Date(Date.UTC(2026, 2, 1) + n++).toISOString() },
        'webhook',
      );

    await apply('organization.created', { object: 'organization', id: ORG, name: 'Race' });
    await apply('dsync.activated', {
      object: 'directory',
      id: DIRECTORY,
      organization_id: ORG,
      name: 'D',
      type: 'okta scim v2.0',
      state: 'active',
    });
    // The person signed in before (a user row without its email yet, a session) and is a member.
    await asSystem(db, 'test seeds the person', async (tx) => {
      await tx.insertInto('users').values({ id: USER, email: '' }).execute();
      const later = new Date(Date.now() + 3_600_000);
      await tx
        .insertInto('sessions')
        .values({
          organization_id: ORG,
          id: 'session_race',
          user_id: USER,
          auth_method: 'password',
          role: 'member',
          secret_hash: 'x',
          expires_at: later,
          idle_expires_at: later,
        })
        .execute();
    });
    await apply('organization_membership.created', {
      object: 'organization_membership',
      id: 'om_race',
      user_id: USER,
      organization_id: ORG,
      status: 'active',
      role: { slug: 'member' },
      directory_managed: true,
    });
    await apply('dsync.user.created', {
      object: 'directory_user',
      id: 'directory_user_race',
      directory_id: DIRECTORY,
      organization_id: ORG,
      idp_id: '1',
      email: EMAIL,
      first_name: 'Pat',
      last_name: 'Race',
      state: 'active',
      emails: [],
    });

    // The tombstone, uncommitted: the directory's deletion as its first statement leaves it.
    let commit!: () => void;
    const committed = new Promise<void>((resolve) => (commit = resolve));
    let tombstoned!: () => void;
    const written = new Promise<void>((resolve) => (tombstoned = resolve));
    const deletion = asSystem(db, 'test deletes the directory', async (tx) => {
      await tx
        .updateTable('directory_users')
        .set({ deleted_at: new Date() })
        .where('organization_id', '=', ORG)
        .where('directory_id', '=', DIRECTORY)
        .execute();
      tombstoned();
      await committed;
    });
    await written;
    // The person's user.created now links the directory user, and waits on the tombstone's lock.
    const linking = apply('user.created', {
      object: 'user',
      id: USER,
      email: EMAIL,
      email_verified: true,
      first_name: 'Pat',
      last_name: 'Race',
    });
    try {
      const deadline = Date.now() + 30_000;
      for (;;) {
        // The owner's connection sees every session of the database (the app role sees only its own).
        const { rows } = await store().owner.query(`SELECT count(*)::int AS waiting FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'`);
        if (Number(rows[0]!.waiting) > 0) break;
        assert.ok(Date.now() < deadline, 'the linking transaction never waited on the tombstone');
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      commit();
    }
    await deletion;
    await linking;

    const state = await asSystem(db, 'test reads access', async (tx) => ({
      du: await tx
        .selectFrom('directory_users')
        .select(['user_id', 'deleted_at'])
        .where('organization_id', '=', ORG)
        .executeTakeFirstOrThrow(),
      memberships: await tx
        .selectFrom('organization_memberships')
        .select('id')
        .where('organization_id', '=', ORG)
        .where('user_id', '=', USER)
        .where('status', '=', 'active')
        .where('deleted_at', 'is', null)
        .execute(),
      sessions: await tx
        .selectFrom('sessions')
        .select('id')
        .where('organization_id', '=', ORG)
        .where('user_id', '=', USER)
        .where('revoked_at', 'is', null)
        .execute(),
    }));
    assert.equal(state.du.user_id, USER, 'the tombstoned directory user is linked to the person');
    assert.notEqual(state.du.deleted_at, null);
    assert.deepEqual(state.memberships, [], 'no active membership left');
    assert.deepEqual(state.sessions, [], 'no live session left');
  });
});
