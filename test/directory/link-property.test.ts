// Property: a directory user is linked to its person, and a suspended, inactive or deleted one
// leaves that person no access in its organization, whatever the order and concurrency of the
// events. Each run generates a directory sync history for several organizations (organizations,
// domains verified or not, directories, people's user.created, memberships, directory users created,
// suspended, deactivated, reactivated, deleted, directories deleted), adds duplicates, shuffles the
// deliveries and applies them through the inbox (inline, or queued and drained in small batches)
// from several concurrent workers on PostgreSQL
// (races need real connections). After convergence it checks: every directory user whose email is
// a mirrored user on a domain its organization verified is linked; every non-active directory
// user's person has no active membership and no live session in that organization.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { asSystem } from '../../src/store/tenant.ts';
import { drainQueue, enqueueEvent, readBacklog } from '../../src/webhooks/apply-queue.ts';
import { ingestEvent } from '../../src/webhooks/inbox.ts';
import { sessionEndingRevoker } from '../support/access-fixtures.ts';
import { postgresStoreForSuite } from '../support/stores.ts';

const ORGS = 3;
const PEOPLE = 5;
const WORKERS = 6;
type Fate = 'active' | 'suspended' | 'inactive' | 'deleted' | 'reactivated';

interface Seat {
  org: number;
  person: number;
  fate: Fate;
  member: boolean;
}
interface History {
  verified: boolean[];
  directoryDeleted: boolean[];
  mirrored: boolean[];
  home: number[];
  seats: Seat[];
}

const history: fc.Arbitrary<History> = fc.record({
  verified: fc.array(
    fc.integer({ min: 0, max: 3 }).map((n) => n > 0),
    { minLength: ORGS, maxLength: ORGS },
  ),
  directoryDeleted: fc.array(
    fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
    { minLength: ORGS, maxLength: ORGS },
  ),
  mirrored: fc.array(
    fc.integer({ min: 0, max: 5 }).map((n) => n > 0),
    { minLength: PEOPLE, maxLength: PEOPLE },
  ),
  home: fc.array(fc.nat(ORGS - 1), { minLength: PEOPLE, maxLength: PEOPLE }),
  seats: fc.uniqueArray(
    fc.record({
      org: fc.nat(ORGS - 1),
      person: fc.nat(PEOPLE - 1),
      fate: fc.constantFrom<Fate>('active', 'suspended', 'inactive', 'deleted', 'reactivated'),
      member: fc.boolean(),
    }),
    { minLength: 1, maxLength: ORGS * PEOPLE, selector: (s) => `${s.org}:${s.person}` },
  ),
});

interface Ev {
  id: string;
  event: string;
  data: Record<string, unknown>;
  created_at: string;
}

/** The events WorkOS would send for the history, in their true order. */
function eventsOf(run: number, h: History): Ev[] {
  const events: Ev[] = [];
  const base = Date.UTC(2026, 2, 1) + run * 10_000_000;
  const emit = (event: string, data: Record<string, unknown>) => {
    const n = events.length;
    events.push({
      id: `event_lp${String(run).padStart(4, '0')}_${String(n).padStart(5, '0')}`,
      event,
      data,
      created_at: new Date(base + n).toISOString(),
    });
  };
  const org = (k: number) => `org_lp${run}_${k}`;
  const dir = (k: number) => `directory_lp${run}_${k}`;
  const email = (p: number) => `p${p}@o${h.home[p]}.lp${run}.test`;
  for (let k = 0; k < ORGS; k++) {
    emit('organization.created', { object: 'organization', id: org(k), name: `O${k}` });
    const domain = {
      object: 'organization_domain',
      id: `org_domain_lp${run}_${k}`,
      organization_id: org(k),
      domain: `o${k}.lp${run}.test`,
      state: 'pending',
    };
    emit('organization_domain.created', domain);
    if (h.verified[k]) emit('organization_domain.verified', { ...domain, state: 'verified' });
    emit('dsync.activated', {
      object: 'directory',
      id: dir(k),
      organization_id: org(k),
      name: 'D',
      type: 'okta scim v2.0',
      state: 'active',
    });
  }
  for (let p = 0; p < PEOPLE; p++) {
    if (h.mirrored[p])
      emit('user.created', {
        object: 'user',
        id: `user_lp${run}_${p}`,
        email: email(p),
        email_verified: true,
        first_name: 'P',
        last_name: `${p}`,
      });
  }
  const du = (s: Seat, state: string) => ({
    object: 'directory_user',
    id: `directory_user_lp${run}_${s.org}_${s.person}`,
    directory_id: dir(s.org),
    organization_id: org(s.org),
    idp_id: `${s.person}`,
    email: email(s.person),
    first_name: 'P',
    last_name: `${s.person}`,
    state,
    emails: [],
  });
  for (const s of h.seats) {
    if (s.member) {
      emit('organization_membership.created', {
        object: 'organization_membership',
        id: `om_lp${run}_${s.org}_${s.person}`,
        user_id: `user_lp${run}_${s.person}`,
        organization_id: org(s.org),
        status: 'active',
        role: { slug: 'member' },
        directory_managed: true,
      });
    }
    emit('dsync.user.created', du(s, 'active'));
  }
  for (const s of h.seats) {
    if (s.fate === 'suspended' || s.fate === 'inactive') emit('dsync.user.updated', du(s, s.fate));
    if (s.fate === 'reactivated') {
      emit('dsync.user.updated', du(s, 'suspended'));
      emit('dsync.user.updated', du(s, 'active'));
    }
    if (s.fate === 'deleted') emit('dsync.user.deleted', du(s, 'inactive'));
  }
  for (let k = 0; k < ORGS; k++) {
    if (h.directoryDeleted[k])
      emit('dsync.deleted', {
        object: 'directory',
        id: dir(k),
        organization_id: org(k),
        name: 'D',
        type: 'okta scim v2.0',
        state: 'deleting',
      });
  }
  return events;
}

describe('directory users are linked and deprovisioned whatever the order and concurrency (property)', () => {
  const { skip, store } = postgresStoreForSuite('concurrent workers need PostgreSQL');

  it('leaves no directory user unlinked and no access behind', {
    skip,
  }, async () => {
    const db = store().db;
    const access = sessionEndingRevoker(db);
    let run = 0;
    let tried = 0;
    let unlinkedTotal = 0;
    let accessLeftTotal = 0;
    const runs = Number(process.env.PROPERTY_RUNS ?? 25);
    await fc.assert(
      fc.asyncProperty(
        history,
        fc.array(fc.nat(1000), { maxLength: 15 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 64, maxLength: 64 }),
        fc.boolean(),
        async (h, dupPicks, keys, queued) => {
          const r = run++;
          tried++;
          const events = eventsOf(r, h);
          // The people who hold a membership have signed in: a live session each, before any event.
          await asSystem(db, 'test seeds sessions', async (tx) => {
            for (const s of h.seats.filter((x) => x.member)) {
              const org = `org_lp${r}_${s.org}`;
              const user = `user_lp${r}_${s.person}`;
              await tx
                .insertInto('organizations')
                .values({ id: org, name: org })
                .onConflict((oc) => oc.column('id').doNothing())
                .execute();
              await tx
                .insertInto('users')
                .values({ id: user, email: '' })
                .onConflict((oc) => oc.column('id').doNothing())
                .execute();
              const later = new Date(Date.now() + 3_600_000);
              await tx
                .insertInto('sessions')
                .values({
                  organization_id: org,
                  id: `session_lp${r}_${s.org}_${s.person}`,
                  user_id: user,
                  auth_method: 'password',
                  role: 'member',
                  secret_hash: 'x',
                  expires_at: later,
                  idle_expires_at: later,
                })
                .execute();
            }
          });
          const deliveries = [...events, ...dupPicks.map((i) => events[i % events.length]!)];
          const queue = deliveries
            .map((e, i) => ({ e, k: keys[i % keys.length]! + i * 1e-9 }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.e);
          if (queued) {
            // Acknowledged on the inbox row, then applied by concurrent workers in small batches.
            await Promise.all(
              Array.from({ length: WORKERS }, async () => {
                for (let e = queue.shift(); e; e = queue.shift()) await enqueueEvent(db, e, 'webhook');
              }),
            );
            await Promise.all(Array.from({ length: WORKERS }, () => drainQueue({ db, access }, 4)));
            const left = await readBacklog(db);
            assert.equal(left.pending + left.failed, 0, 'every queued event applied');
          } else {
            await Promise.all(
              Array.from({ length: WORKERS }, async () => {
                for (let e = queue.shift(); e; e = queue.shift()) await ingestEvent({ db, access }, e, 'webhook');
              }),
            );
          }

          const prefix = `org_lp${r}_%`;
          const { unlinked, accessLeft } = await asSystem(db, 'test checks the mirror', async (tx) => {
            const unlinked = await tx
              .selectFrom('directory_users as du')
              .select('du.id')
              .where('du.organization_id', 'like', prefix)
              .where('du.user_id', 'is', null)
              .where(sql<boolean>`EXISTS (SELECT 1 FROM users u WHERE lower(u.email) = lower(du.email)
                AND u.deleted_at IS NULL AND u.provider_updated_at IS NOT NULL)`)
              .where(sql<boolean>`EXISTS (SELECT 1 FROM organization_domains d WHERE d.organization_id = du.organization_id
                AND d.state = 'verified' AND d.deleted_at IS NULL AND lower(d.domain) = split_part(lower(du.email), '@', 2))`)
              .execute();
            const gone = await tx
              .selectFrom('directory_users')
              .select(['organization_id', 'user_id', 'id'])
              .where('organization_id', 'like', prefix)
              .where('user_id', 'is not', null)
              .where((eb) => eb.or([eb('deleted_at', 'is not', null), eb('state', '!=', 'active')]))
              .execute();
            const accessLeft: string[] = [];
            for (const g of gone) {
              const m = await tx
                .selectFrom('organization_memberships')
                .select('id')
                .where('organization_id', '=', g.organization_id)
                .where('user_id', '=', g.user_id!)
                .where('status', '=', 'active')
                .where('deleted_at', 'is', null)
                .execute();
              const s = await tx
                .selectFrom('sessions')
                .select('id')
                .where('organization_id', '=', g.organization_id)
                .where('user_id', '=', g.user_id!)
                .where('revoked_at', 'is', null)
                .execute();
              if (m.length + s.length > 0) accessLeft.push(`${g.id}: ${m.length} memberships, ${s.length} sessions`);
            }
            return { unlinked: unlinked.map((u) => u.id), accessLeft };
          });
          unlinkedTotal += unlinked.length;
          accessLeftTotal += accessLeft.length;
          assert.deepEqual(unlinked, [], 'every directory user of a mirrored person on a verified domain is linked');
          assert.deepEqual(accessLeft, [], 'no suspended, inactive or deleted directory user leaves its person access');
        },
      ),
      { numRuns: runs, seed: Number(process.env.PROPERTY_SEED ?? 20261130), endOnFailure: true },
    );
    console.log(`histories tried ${tried}, unlinked ${unlinkedTotal}, access left ${accessLeftTotal}`);
  });
});
